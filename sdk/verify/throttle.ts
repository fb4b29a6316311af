/**
 * Resource Graph's throttling, as pure rules. Resource Graph throttles per user and says how in two
 * headers on every answer: `x-ms-user-quota-remaining` (queries left) and `x-ms-user-quota-resets-after`
 * (`hh:mm:ss` until the quota refills); a throttled request gets HTTP 429 (MicrosoftDocs/azure-docs
 * `articles/governance/resource-graph/concepts/guidance-for-throttled-requests.md`, "Understand throttling
 * headers"). `Retry-After` (seconds or an HTTP date) is the generic ARM answer to a 429.
 */

/** `hh:mm:ss` (hours may exceed two digits) to milliseconds; undefined when it is not that shape. */
export function parseResetsAfter(value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    const m = /^\s*(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)\s*$/.exec(value);
    if (m === null) return undefined;
    return Math.round((Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000);
}

/** `Retry-After` as seconds or an HTTP date, to milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
    if (value === undefined || value.trim() === "") return undefined;
    if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
    const date = Date.parse(value);
    return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

/** The headers of one Resource Graph answer that matter here (lower-case names). */
export interface QuotaHeaders {
    "x-ms-user-quota-remaining"?: string;
    "x-ms-user-quota-resets-after"?: string;
    "retry-after"?: string;
    "x-ms-tenant-subscription-limit-hit"?: string;
}

/** The longest a single wait may last: a longer reset is an answer to give up on, not to sleep through. */
export const MAX_WAIT_MS = 5 * 60_000;

/**
 * How long to wait before the next request, given the last answer's headers and status.
 * - 429: `Retry-After`, else the quota's reset time, else 5 s.
 * - quota at 0: until it resets.
 * - otherwise: no wait.
 */
export function waitBeforeNext(status: number, headers: QuotaHeaders, now: Date): number {
    const resets = parseResetsAfter(headers["x-ms-user-quota-resets-after"]);
    if (status === 429) return Math.min(MAX_WAIT_MS, parseRetryAfter(headers["retry-after"], now) ?? resets ?? 5_000);
    const remaining = Number(headers["x-ms-user-quota-remaining"]);
    if (headers["x-ms-user-quota-remaining"] !== undefined && Number.isFinite(remaining) && remaining <= 0)
        return Math.min(MAX_WAIT_MS, resets ?? 5_000);
    return 0;
}
