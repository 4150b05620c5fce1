/** Labelled fields and small pieces the provider panels share. */
import type { ReactNode, Ref } from "react";
import { FieldError, Input, Label, Text, TextField } from "react-aria-components";

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
