/**
 * Names for the API's response shapes the dashboard reads. The shapes are generated from the
 * API's OpenAPI document (scripts/generate-api-types.ts), never written here: a changed response
 * schema breaks the dashboard's type-check.
 */
import type { components, operations } from './generated/api.d.ts';

type Schemas = components['schemas'];

export type Verdict = Schemas['Verdict'];
export type Run = Schemas['Run'];
/** GET /runs/:run: a run with how far its results lag its traffic. */
export type RunDetail = Schemas['RunDetail'];
/** GET /runs: every run, with its figures when asked for the summary. */
export type RunList = Schemas['RunList'];
/** A run as GET /runs?summary=true lists it. */
export type RunSummary = RunList['items'][number];
/** Figures of one route of a run. */
export type RouteSummary = Schemas['RouteSummary'];
export type Finding = Schemas['Finding'];
export type ReleaseReport = Schemas['ReleaseReport'];
export type FieldItem = Schemas['FieldItem'];
export type FieldList = Schemas['FieldList'];
export type Difference = Schemas['Difference'];
export type DifferencePage = Schemas['DifferencePage'];
export type Exchange = Schemas['Exchange'];
/** One side's answer within an exchange. */
export type SideView = Exchange['responses']['primary'];
export type PresentedBody = Schemas['PresentedBody'];
export type Triage = Schemas['Triage'];
/** A person's mark on a field: noise, expected or real. */
export type TriageState = Triage['state'];

/** The JSON body an API operation takes, by its operation id. */
export type RequestBody<Operation extends keyof operations> =
  NonNullable<operations[Operation]['requestBody']> extends { content: { 'application/json': infer Body } } ? Body : never;
