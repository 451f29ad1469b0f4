import type { Option } from '../ui/SelectField.tsx';

/**
 * The options of a practitioner or location select. An appointment names them by text (the
 * schedule places it by name), so each option's value is the name itself, listed once. A
 * current value the list lacks (an old booking's free text, someone since deactivated) stays
 * a choice, marked, so saving the form never changes it unasked. `names` is undefined while
 * the list loads: the current value then shows plainly.
 */
export function nameOptions(names: readonly { name: string }[] | undefined, current: string): Option[] {
  const unique = [...new Set((names ?? []).map((entry) => entry.name))];
  const options = unique.map((name) => ({ value: name, label: name }));
  if (current && !unique.includes(current)) options.unshift({ value: current, label: names ? `${current} (not in the list)` : current });
  return options;
}
