import { AppError } from '../../shared/errors.ts';

/** Where the workstation's update channel came from, strongest first. */
export type ChannelSource = 'machine_policy' | 'org_configuration' | 'default';

export interface ChosenChannel {
  /** The channel's name as IT writes it ("stable", "pilot", …). */
  name: string;
  source: ChannelSource;
  /**
   * The name electron-updater looks up on the feed: "stable" is electron-builder's default
   * channel file (latest.yml, latest-mac.yml, latest-linux.yml); any other channel X reads
   * X.yml, X-mac.yml, X-linux.yml.
   */
  feedChannel: string;
}

export const DEFAULT_CHANNEL = 'stable';

/** The channel becomes part of a file name on the feed: lower-case letters, digits and dashes only. */
const CHANNEL_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * Picks this workstation's update channel. Precedence, strongest first:
 * 1. the machine policy file (IT's deliberate choice for this machine, e.g. the pilot desk);
 * 2. the org's configuration (the tenant's default for its workstations);
 * 3. "stable".
 * A value that is present but not a channel name is refused with an error naming its
 * source, rather than silently falling through to a weaker source.
 */
export function chooseUpdateChannel(input: { policyChannel?: string | undefined; orgChannel?: string | undefined }): ChosenChannel {
  const pick = (value: string | undefined, source: ChannelSource): ChosenChannel | null => {
    if (value === undefined) return null;
    const name = value.trim().toLowerCase();
    if (!CHANNEL_NAME.test(name)) {
      const where = source === 'machine_policy' ? "The machine policy's update channel" : "The organization's update channel";
      throw new AppError('VALIDATION', `${where} must be 1 to 32 lower-case letters, digits or dashes, starting with a letter (e.g. "stable" or "pilot").`);
    }
    return { name, source, feedChannel: name === DEFAULT_CHANNEL ? 'latest' : name };
  };
  return pick(input.policyChannel, 'machine_policy') ?? pick(input.orgChannel, 'org_configuration') ?? { name: DEFAULT_CHANNEL, source: 'default', feedChannel: 'latest' };
}
