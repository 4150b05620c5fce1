import type { ReactNode, Ref } from "react";
import {
  Button,
  ComboBox,
  Group,
  Header,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  ListBoxSection,
  Popover,
  Text,
} from "react-aria-components";
import type { ModelItem } from "../../bindings";
import { containsLoose } from "../../lib/format";
import { modelLabel, type SavedChoice } from "./model";

export type ProviderGroup = { provider: string; name: string; models: ModelItem[] };

type Props = {
  label: string;
  /** `provider:model`, or null when the task has no model. */
  value: string | null;
  onChange: (key: string) => void;
  groups: ProviderGroup[];
  /** The stored choice when it is not offered (gone, or still loading): kept and shown, never replaced. */
  broken: SavedChoice | null;
  inputRef?: Ref<HTMLInputElement>;
  description?: ReactNode;
};

/**
 * A searchable model picker: models grouped by provider, filtered by a case- and
 * accent-insensitive "contains" on the label; the value is `provider:model`.
 */
export function ModelPicker({ label, value, onChange, groups, broken, inputRef, description }: Props) {
  const isBroken = broken !== null && !broken.loading && value === broken.key;
  return (
    <ComboBox
      className="field"
      selectedKey={value}
      // Clearing the text does not unassign a task: an empty choice is ignored.
      onSelectionChange={(key) => {
        if (key !== null) onChange(String(key));
      }}
      defaultFilter={containsLoose}
      allowsEmptyCollection
    >
      <Label className="field-label">{label}</Label>
      <Group className="combo-group" data-broken={isBroken || undefined}>
        <Input ref={inputRef} className="combo-input" placeholder="Search models…" />
        <Button className="combo-trigger" aria-label="Show models">
          ▾
        </Button>
      </Group>
      {isBroken && (
        // The field is one line and cuts a long saved choice off; here it is in full,
        // wrapped. Screen readers already read it as the field's value, so not twice.
        <p className="combo-broken-full" aria-hidden="true">
          {broken.text}
        </p>
      )}
      {description && (
        <Text slot="description" className={isBroken ? "field-error" : "field-help"}>
          {description}
        </Text>
      )}
      <Popover className="combo-popover" placement="bottom start">
        <ListBox className="combo-list" renderEmptyState={() => <div className="combo-empty">No models found</div>}>
          {broken && (
            <ListBoxSection id="unavailable">
              <Header className="combo-section-header">Saved choice</Header>
              <ListBoxItem
                id={broken.key}
                textValue={broken.text}
                className="combo-item"
                data-broken={broken.loading ? undefined : true}
              >
                {broken.text}
              </ListBoxItem>
            </ListBoxSection>
          )}
          {groups.map((g) => (
            <ListBoxSection key={g.provider} id={g.provider}>
              <Header className="combo-section-header">{g.name}</Header>
              {g.models.map((m) => {
                const text = modelLabel(m);
                return (
                  <ListBoxItem key={m.id} id={m.id} textValue={text} className="combo-item">
                    {text}
                  </ListBoxItem>
                );
              })}
            </ListBoxSection>
          ))}
        </ListBox>
      </Popover>
    </ComboBox>
  );
}
