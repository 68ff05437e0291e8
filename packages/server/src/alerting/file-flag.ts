/** `--alerts`: an alert rules file (YAML) for the default project, read again when it changes (`file-flags.ts` lists it). */
export const alertsFileFlag = { option: 'alerts', key: 'alertsFile', flag: '--alerts', env: 'SPOOR_ALERTS', example: 'rules.yaml' } as const;
