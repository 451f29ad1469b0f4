import type { Locator, Page } from 'playwright-core';

/**
 * Keyboard-only driving for every suite's screens: Tab (or Shift+Tab, backwards) until the
 * wanted control has focus (never a click), then the key a person would press.
 */
export async function tabTo(page: Page, target: Locator, key: 'Tab' | 'Shift+Tab' = 'Tab', maxPresses = 80): Promise<void> {
  await target.waitFor({ timeout: 15_000 });
  for (let presses = 0; presses < maxPresses; presses += 1) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press(key);
  }
  throw new Error(`${key} did not reach ${String(target)} in ${maxPresses} presses`);
}

export async function pressOn(page: Page, target: Locator, key = 'Enter'): Promise<void> {
  await tabTo(page, target);
  await page.keyboard.press(key);
}

/** Types into whatever has focus (the form moved focus there itself), checking it is the expected field. */
export async function typeInFocused(page: Page, field: Locator, text: string): Promise<void> {
  await field.waitFor({ timeout: 15_000 });
  if (!(await field.evaluate((element) => element === document.activeElement))) await tabTo(page, field);
  await page.keyboard.type(text);
}

/** Picks a select's option by keyboard: focus it, then ArrowDown/Up until the label shows. */
export async function chooseByKeyboard(page: Page, select: Locator, label: string): Promise<void> {
  await tabTo(page, select);
  const labels = await select.locator('option').allTextContents();
  const target = labels.indexOf(label);
  if (target < 0) throw new Error(`No option "${label}"`);
  const current = await select.evaluate((element) => (element as HTMLSelectElement).selectedIndex);
  const key = target > current ? 'ArrowDown' : 'ArrowUp';
  for (let i = 0; i < Math.abs(target - current); i += 1) await page.keyboard.press(key);
}

/** The note article whose heading starts with the kind and carries the status, e.g. ("Progress note", "Signed"). */
export function noteArticle(page: Page, text: string): Locator {
  return page.getByRole('main').getByRole('article').filter({ hasText: text });
}

/** The Orders row of one order (row header = description). */
export function orderRow(page: Page, description: string): Locator {
  return page.getByRole('main').getByRole('row').filter({ has: page.getByRole('rowheader', { name: description }) });
}
