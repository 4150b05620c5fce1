/** Labelled fields and small pieces the provider panels share. */
import type { ReactNode, Ref } from "react";
import { FieldError, Input, Label, Text, TextField } from "react-aria-components";
import type { StructuredMode } from "../../bindings";
import { isStructuredMode, STRUCTURED_MODES, structuredLabel } from "./config";

export type FieldProps = {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | null;
  description?: ReactNode;
  placeholder?: string;
  type?: "text" | "password" | "url";
  inputMode?: "numeric" | "text" | "url";
  inputRef?: Ref<HTMLInputElement>;
  className?: string;
  onEnter?: () => void;
  isDisabled?: boolean;
};

/** A text field with its label, help text and, under it, its error. */
export function Field({
  label,
  value,
  onChange,
  error,
  description,
  placeholder,
  type = "text",
  inputMode,
  inputRef,
  className,
  onEnter,
  isDisabled,
}: FieldProps) {
  return (
    <TextField
      className={`field pv-field${className ? ` ${className}` : ""}`}
      value={value}
      onChange={onChange}
      isInvalid={!!error}
      isDisabled={isDisabled}
      type={type}
      autoComplete="off"
      spellCheck="false"
      onKeyDown={(e) => {
        if (e.key === "Enter" && onEnter) {
          e.preventDefault();
          onEnter();
        } else {
          // Let Escape (close the panel) and the rest reach the panel.
          e.continuePropagation();
        }
      }}
    >
      <Label className="field-label">{label}</Label>
      <Input className="pv-input" placeholder={placeholder} inputMode={inputMode} ref={inputRef} />
      {description && (
        <Text slot="description" className="field-help">
          {description}
        </Text>
      )}
      <FieldError className="field-error">{error}</FieldError>
    </TextField>
  );
}

/** Text only screen readers read (completes a short visible label). */
export function SrOnly({ children }: { children: ReactNode }) {
  return <span className="pv-sr-only">{children}</span>;
}

/**
 * How a connection asks for JSON (`config.structured_output`): a native select named
 * "Structured output", whose help says what automatic detection found, if anything.
 */
export function StructuredOutputField({
  id,
  value,
  onChange,
  detected,
}: {
  /** Unique in the window (the provider id will do). */
  id: string;
  value: StructuredMode;
  onChange: (mode: StructuredMode) => void;
  detected: StructuredMode | null | undefined;
}) {
  return (
    <div className="field pv-field pv-structured">
      <label htmlFor={`${id}-structured`} className="field-label">
        Structured output
      </label>
      <select
        id={`${id}-structured`}
        className="pv-input pv-select"
        value={value}
        onChange={(e) => {
          if (isStructuredMode(e.target.value)) onChange(e.target.value);
        }}
        aria-describedby={`${id}-structured-help`}
      >
        {STRUCTURED_MODES.map((m) => (
          <option key={m.mode} value={m.mode}>
            {m.label}
          </option>
        ))}
      </select>
      <p id={`${id}-structured-help`} className="field-help">
        {value === "auto" && detected
          ? `Structured output: ${structuredLabel(detected)} (detected)`
          : value === "auto"
            ? "Curator tries JSON schema first, then JSON object with schema, then the prompt, and keeps what this server accepts."
            : "Every request uses this mode; answers are validated the same way."}
      </p>
    </div>
  );
}
