// electron-builder `afterPack` hook: flips Electron's fuses in the packed binary, before
// electron-builder signs it (so the signature covers the flipped fuse wire).
// @electron/fuses comes with electron-builder (app-builder-lib depends on it).
'use strict';

const path = require('node:path');
const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');
const { Arch } = require('builder-util');

/** The fuse settings, exported so test/builder-config.test.ts can assert them. */
const FUSES = {
  // ELECTRON_RUN_AS_NODE would turn the signed app into a general-purpose Node runtime.
  [FuseV1Options.RunAsNode]: false,
  // NODE_OPTIONS / NODE_EXTRA_CA_CERTS could inject code or trust into the main process.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  // --inspect and SIGUSR1 would attach a debugger to the process that holds the store keys.
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // Chromium's cookie store encrypted with the OS keystore.
  [FuseV1Options.EnableCookieEncryption]: true,
  // app.asar is checked against the hash electron-builder embeds at pack time ...
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  // ... and is the only place app code is loaded from (no loose `app/` folder).
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  // The renderer is served from app:// (electron/main/app-protocol.ts), never file://,
  // so file:// pages need none of their legacy extra privileges.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

const EXTENSIONS = { darwin: '.app', mas: '.app', win32: '.exe', linux: '' };

/** Path of the packed Electron binary (or .app bundle), as electron-builder names it. */
function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const name = electronPlatformName === 'linux' ? packager.executableName : packager.appInfo.productFilename;
  return path.join(appOutDir, `${name}${EXTENSIONS[electronPlatformName] ?? ''}`);
}

async function applyFuses(context) {
  const target = electronBinaryPath(context);
  const isMac = context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas';
  const isArm = context.arch === Arch.arm64 || context.arch === Arch.universal;
  console.log(`  • flipping Electron fuses  file=${target}`);
  await flipFuses(target, {
    version: FuseVersion.V1,
    // Flipping fuses breaks the ad-hoc signature an arm64 macOS binary must carry to launch;
    // re-sign ad hoc so an unsigned build still runs (a release build is signed right after).
    resetAdHocDarwinSignature: isMac && isArm,
    ...FUSES,
  });
}

module.exports = applyFuses;
module.exports.afterPack = applyFuses;
module.exports.FUSES = FUSES;
module.exports.electronBinaryPath = electronBinaryPath;
