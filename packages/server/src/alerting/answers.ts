import type { Static } from '@sinclair/typebox';
import type { AlertService } from './alert-service.js';
import { agree } from '../http/answers/agree.js';
import {
  AlertHistoryResponse,
  AlertListResponse,
  AlertReceiver,
  AlertReceiverListResponse,
  AlertRule,
  AlertRuleListResponse,
  Silence,
  SilenceListResponse,
} from '../http/answers/model/alerts.js';

/** The alerting's answers (`alerting/routes.ts`), each pinned to what the alerting service returns. */

type Returned<K extends keyof AlertService> = AlertService[K] extends (...args: never[]) => infer R ? Awaited<R> : never;

agree<Static<typeof AlertListResponse>, Returned<'alerts'>>(true);
agree<Static<typeof AlertHistoryResponse>, Returned<'history'>>(true);
agree<Static<typeof AlertRuleListResponse>, Returned<'rules'>>(true);
agree<Static<typeof AlertRule>, Returned<'rule'>>(true);
agree<Static<typeof AlertRule>, Returned<'saveRule'>['rule']>(true);
agree<Static<typeof SilenceListResponse>, Returned<'silences'>>(true);
agree<Static<typeof AlertReceiverListResponse>, Returned<'receivers'>>(true);
agree<Static<typeof AlertReceiver>, Returned<'receiver'>>(true);
agree<Static<typeof Silence>, Returned<'createSilence'>>(true);
agree<Static<typeof Silence>, Returned<'expireSilence'>>(true);

export { AlertHistoryResponse, AlertListResponse, AlertReceiver, AlertReceiverListResponse, AlertRule, AlertRuleListResponse, Silence, SilenceListResponse };
