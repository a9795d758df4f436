/** The typed categories of articles: public information and smart electricity plates (docs/content.md). */
export const CONTENT_CATEGORIES = ['NEWS', 'FAQ', 'KNOWLEDGE', 'GUIDE', 'POLICY', 'CASE', 'GRID_NEWS', 'INDUSTRY_NEWS', 'ENERGY_TECH', 'APP_LINK'] as const;
export type ContentCategory = (typeof CONTENT_CATEGORIES)[number];

/** DRAFT → PUBLISHED → RETIRED; a user sees only PUBLISHED inside its publish window. */
export const CONTENT_STATES = ['DRAFT', 'PUBLISHED', 'RETIRED'] as const;
export type ContentState = (typeof CONTENT_STATES)[number];

/** Plain text, or a limited Markdown the front end renders itself; never HTML (content-body.ts). */
export const BODY_FORMATS = ['text', 'markdown'] as const;
export type BodyFormat = (typeof BODY_FORMATS)[number];
