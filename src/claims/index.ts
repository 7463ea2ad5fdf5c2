export { judgeClaims, formatClaimsTable, CLAIMS, REL_TOL, LOG_TOL, PP_TOL, type ClaimVerdict, type Verdict } from './claims.js';
