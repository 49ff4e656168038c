/**
 * Names for the API's response shapes the dashboard reads. The shapes are generated from the
 * API's OpenAPI document (scripts/generate-api-types.ts), never written here: a changed response
 * schema breaks the dashboard's type-check.
 */
import type { components } from './generated/api.d.ts';

type Schemas = components['schemas'];

export type Verdict = Schemas['Verdict'];
export type Run = Schemas['Run'];
/** GET /runs/:run: a run with how far its results lag its traffic. */
export type RunDetail = Schemas['RunDetail'];
/** A run as GET /runs?summary=true lists it. */
export type RunSummary = Schemas['RunList']['items'][number];
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
