import type { ClinicsyncBridge } from './ipc-types.ts';

declare global {
  interface Window {
    /** Present only inside the Electron window, put there by the preload script. */
    clinicsync?: ClinicsyncBridge;
  }
}

export function getBridge(): ClinicsyncBridge | undefined {
  return typeof window === 'undefined' ? undefined : window.clinicsync;
}
