// Electron's entry (package.json "main" → dist/electron/main.js); the shell lives in main/.
import './main/main.ts';
