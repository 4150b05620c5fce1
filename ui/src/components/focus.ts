import { useEffect, useLayoutEffect, useRef, type RefObject } from "react";

/**
 * A button that becomes disabled while it has the focus (Save, once saved) drops the
 * focus to the page: Tab starts over from the top and Escape reaches nothing. After such
 * a commit the focus goes to `fallback` instead (without scrolling). It acts only when
 * the button had the focus and the focus is now nowhere (or still on the disabled button).
 */
export function useKeepFocusWhenDisabled(
  ref: RefObject<HTMLElement | null>,
  disabled: boolean,
  fallback: () => HTMLElement | null | undefined,
) {
  // Whether the button was the last element to take the focus (kept from focus events:
  // a button that turns disabled loses the focus without one; it may also mount late).
  const hadFocus = useRef(false);
  useEffect(() => {
    const onFocusIn = (e: FocusEvent) => {
      hadFocus.current = e.target === ref.current;
    };
    document.addEventListener("focusin", onFocusIn);
    return () => document.removeEventListener("focusin", onFocusIn);
  }, [ref]);
  useLayoutEffect(() => {
    if (!disabled || !hadFocus.current) return;
    const active = document.activeElement;
    if (active === null || active === document.body || active === ref.current) {
      hadFocus.current = false;
      fallback()?.focus({ preventScroll: true });
    }
  });
}
