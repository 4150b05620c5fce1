/** Small marks for the five providers, drawn in the current text colour (decorative). */
import type { ReactNode } from "react";
import type { ProviderId } from "./config";

function Svg({ children, size }: { children: ReactNode; size: number }) {
  return (
    <svg
      className="pv-logo"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

const MARKS: Record<ProviderId, ReactNode> = {
  // A llama's head: two ears, a long face, eyes and a muzzle.
  ollama: (
    <>
      <path d="M8 9V4.5c0-1 1.4-1.2 1.7-.2L10.5 7M16 9V4.5c0-1-1.4-1.2-1.7-.2L13.5 7" />
      <path d="M6.5 20v-6.5C6.5 9.9 9 7 12 7s5.5 2.9 5.5 6.5V20" />
      <ellipse cx="12" cy="15.5" rx="2.6" ry="2" />
      <circle cx="9.6" cy="11.5" r="0.6" fill="currentColor" stroke="none" />
      <circle cx="14.4" cy="11.5" r="0.6" fill="currentColor" stroke="none" />
    </>
  ),
  // Six interlocking loops around a centre.
  openai: (
    <>
      {[0, 60, 120, 180, 240, 300].map((deg) => (
        <rect
          key={deg}
          x="9.2"
          y="3"
          width="5.6"
          height="10"
          rx="2.8"
          transform={`rotate(${deg} 12 12)`}
        />
      ))}
    </>
  ),
  // Two slanted strokes and a bar: a stylised capital A.
  anthropic: (
    <>
      <path d="M4 20 10 4h1.6L18 20" />
      <path d="M7.2 13.8h7.8" />
      <path d="M14.5 4 20.5 20" opacity="0.55" />
    </>
  ),
  // A four-pointed spark.
  google: (
    <path
      d="M12 2.5c.6 4.9 4.6 8.9 9.5 9.5-4.9.6-8.9 4.6-9.5 9.5-.6-4.9-4.6-8.9-9.5-9.5 4.9-.6 8.9-4.6 9.5-9.5Z"
      fill="currentColor"
      stroke="none"
    />
  ),
  // Routes forking from one point.
  openrouter: (
    <>
      <path d="M3 12h5c2.5 0 3.5-5 7-5h4" />
      <path d="M8 12c2.5 0 3.5 5 7 5h4" />
      <path d="M17 4.5 19.5 7 17 9.5M17 14.5l2.5 2.5-2.5 2.5" />
    </>
  ),
};

export function ProviderLogo({ provider, size = 24 }: { provider: ProviderId; size?: number }) {
  return <Svg size={size}>{MARKS[provider]}</Svg>;
}
