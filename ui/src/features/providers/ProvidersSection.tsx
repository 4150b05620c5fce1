export function ProvidersSection() {
  return (
    <section className="pane" aria-labelledby="providers-title">
      <h1 id="providers-title">Providers</h1>
    </section>
  );
}
