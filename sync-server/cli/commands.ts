import type { Command } from './command.ts';
import { auditVerify } from './commands/audit.ts';
import { deviceEnrollToken, deviceList, deviceRevoke } from './commands/device.ts';
import { migrate } from './commands/migrate.ts';
import { serve } from './commands/serve.ts';
import { tenantCreate, tenantList, tenantSetTier, tenantShow } from './commands/tenant.ts';
import { tenantSetPolicy } from './commands/tenant-policy.ts';
import { tenantOffboard } from './commands/tenant-offboard.ts';
import { userCreate, userGrant } from './commands/user.ts';
import { userUnlock } from './commands/user-unlock.ts';
import { vaultRotateMaster, vaultRotateTenant } from './commands/vault.ts';
import { exportTenantCommand } from './commands/export.ts';
import { importCommand } from './commands/import.ts';

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [serve, migrate, tenantCreate, tenantList, tenantShow, tenantSetTier, tenantSetPolicy, tenantOffboard, userCreate, userGrant, userUnlock, deviceEnrollToken, deviceList, deviceRevoke, auditVerify, vaultRotateMaster, vaultRotateTenant, exportTenantCommand, importCommand];

/** The command named by the leading words of argv, and how many words that took. */
export function findCommand(argv: readonly string[]): { command: Command; words: number } | null {
  for (const command of COMMANDS) {
    const words = command.name.split(' ');
    if (words.every((word, i) => argv[i] === word)) return { command, words: words.length };
  }
  return null;
}

/** Sub-commands of a group ("tenant" → create, list, show, set-tier), for "unknown command" messages. */
export function subcommandsOf(group: string): string[] {
  return COMMANDS.filter((command) => command.name.startsWith(`${group} `)).map((command) => command.name.slice(group.length + 1));
}

export function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return `Usage: clinicsync-server <command> [options]

Administers a Clinicsync sync server deployment: its eight domain databases, organizations,
users, devices and audit trail. Admin commands open the databases directly and never listen
on a port; each one is written to the audit trail (kind admin).

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

Run "clinicsync-server <command> --help" for a command's options.
Exit codes: 0 done, 1 failed, 2 bad usage.
`;
}
