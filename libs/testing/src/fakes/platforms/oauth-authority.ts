import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An application registered at the authority, as a developer console registers it. */
export interface OAuthClientRegistration {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

/** The RFC 6749 error codes the token endpoint answers with. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope';

/** Why the token or revoke endpoint refuses a request, for a platform to word in its own way. */
export type OAuthProblem =
  | 'missing_parameter'
  | 'unknown_client'
  | 'wrong_client_secret'
  | 'invalid_code'
  | 'redirect_uri_mismatch'
  | 'invalid_code_verifier'
  | 'invalid_refresh_token'
  | 'unsupported_grant_type'
  | 'invalid_token';

/** A refused token or revoke request: what went wrong, and the RFC 6749 answer given by default. */
export interface OAuthRefusal {
  endpoint: 'token' | 'revoke';
  problem: OAuthProblem;
  /** The missing parameter, for `missing_parameter`. */
  parameter?: string;
  error: OAuthErrorCode;
  description: string;
  /** The status of the default answer (`errorStatus`). */
  status: number;
}

/** Where each platform keeps its endpoints and how it words its answers; Google's by default. */
export interface OAuthAuthorityOptions {
  /** The authorize page (`/o/oauth2/v2/auth`). */
  authorizePath?: string;
  /** The token endpoint (`/token`). */
  tokenPath?: string;
  /** The revoke endpoint (`/revoke`); null where the platform has none (Facebook revokes through its Graph API). */
  revokePath?: string | null;
  /** How long an access token lives (3600 s, Google's). */
  accessTokenLifetimeSeconds?: number;
  /** Whether a refresh hands out a new refresh token and retires the old one (Google: no; Twitch, Kick: yes). */
  rotateRefreshTokens?: boolean;
  /** Separator of the `scope` parameter and answer (a space, RFC 6749; Facebook uses a comma). */
  scopeSeparator?: string;
  /** The body of a token endpoint error; RFC 6749's `{ error, error_description }` by default. */
  errorBody?: (error: OAuthErrorCode, description: string) => unknown;
  /** Prefix of the tokens handed out, so that a leaked token is recognisable in logs (`fake`). */
  tokenPrefix?: string;
  /** The HTTP status of a token endpoint error (RFC 6749: 401 for `invalid_client`, 400 otherwise; Kick and Facebook: 400). */
  errorStatus?: (error: OAuthErrorCode) => number;
  /** Methods the token endpoint answers (`POST`; Facebook's is a `GET` with its parameters in the query). */
  tokenMethods?: ReadonlyArray<'GET' | 'POST'>;
  /** The grant of a token request without `grant_type` (none: it is required; Facebook: `authorization_code`). */
  defaultGrantType?: 'authorization_code';
  /** Whether the token answers carry a refresh token (Facebook: no; a grant lasts as long as its token). */
  issueRefreshTokens?: boolean;
  /** Whether the token answers carry `scope` (Facebook's do not: it answers `/me/permissions`). */
  answerScope?: boolean;
  /** Whether an authorization must carry an S256 PKCE challenge (OAuth 2.1; Kick). */
  requirePkce?: boolean;
  /**
   * An extension grant that trades a valid access token for a longer-lived one of the same grant
   * (Facebook's `grant_type=fb_exchange_token&fb_exchange_token=<token>`, about 60 days).
   */
  longLivedExchange?: { grantType: string; tokenParameter: string; lifetimeSeconds: number };
  /**
   * The status and body of a refused token or revoke request in the platform's own shape (Twitch:
   * `{ status, message }`); undefined keeps the default answer (`errorStatus`, `errorBody`).
   */
  refusal?: (refusal: OAuthRefusal) => { status: number; body: unknown } | undefined;
  /** Whether a POST to the token and revoke endpoints also reads its parameters from the query string (Twitch, which twurple relies on). */
  parametersInQuery?: boolean;
  /** Whether a `code_challenge` is kept and checked (RFC 7636); Twitch has no PKCE and ignores it. */
  pkce?: boolean;
  /** Whether token answers carry `scope` as a JSON array (Twitch) instead of a separated string. */
  scopeAsArray?: boolean;
  /** `token_type` of token answers (`Bearer`; Twitch writes `bearer`). */
  tokenType?: string;
  /** Content-Type of the JSON answers (`application/json; charset=utf-8`; Twitch: exactly `application/json`). */
  jsonContentType?: string;
  /** Whether revoke needs the client's `client_id` and refuses a token of another client (Twitch). */
  revokeChecksClient?: boolean;
  /** Whether a successful revoke answers 200 with no body (Twitch) instead of `{}`. */
  emptyRevokeAnswer?: boolean;
  /** `error_description` of the redirect when the user refuses (`The user denied the request`). */
  deniedDescription?: string;
}

/** Who a token speaks for and what it may do. */
export interface OAuthGrant {
  clientId: string;
  /** The account that consented (a YouTube channel id, a Twitch user id, ...). */
  subject: string;
  scopes: string[];
}

/** Why a token was refused: none given, never issued, past its lifetime, or its grant was revoked. */
export type TokenRefusal = 'missing' | 'unknown' | 'expired' | 'revoked';

export type BearerCheck =
  | { ok: true; grant: OAuthGrant; token: string; /** Epoch ms; Infinity for a token without expiry. */ expiresAt: number }
  | { ok: false; status: 401; error: 'invalid_token'; description: string; reason: TokenRefusal }
  | { ok: false; status: 403; error: 'insufficient_scope'; description: string };

interface AuthorizationCode extends OAuthGrant {
  redirectUri: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  expiresAt: number;
}

interface AccessToken extends OAuthGrant {
  expiresAt: number;
  refreshToken?: string;
}

interface RefreshToken extends OAuthGrant {
  revoked: boolean;
}

class OAuthError extends Error {
  constructor(
    readonly problem: OAuthProblem,
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly parameter?: string,
  ) {
    super(description);
  }
}

const CODE_LIFETIME_MS = 10 * 60_000;

/** Options whose absence is itself the behaviour (no default grant, no long-lived exchange). */
type OptionalBehaviour = 'defaultGrantType' | 'longLivedExchange';

/**
 * A fake OAuth 2.0 authorization server (RFC 6749 with PKCE, RFC 7636) that a platform fake mounts
 * on its own HTTP server: the authorize page consents at once and redirects with `code` and
 * `state`, the token endpoint answers the authorization_code and refresh_token grants, access
 * tokens expire, refresh tokens work until revoked, and `verifyBearer` lets the platform's resource
 * endpoints check a request's token and scopes. Google's paths and wording by default; the other
 * platforms pass theirs as options.
 */
export class OAuthAuthority {
  private readonly clients = new Map<string, OAuthClientRegistration>();
  private readonly minted = new Set<string>();
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  /** Access tokens of revoked grants, so that a platform can word "revoked" apart from "unknown". */
  private readonly revokedAccessTokens = new Set<string>();
  private consentSubject: string | undefined;
  private refuseNext = false;
  private readonly options: Required<Omit<OAuthAuthorityOptions, OptionalBehaviour>> & Pick<OAuthAuthorityOptions, OptionalBehaviour>;

  constructor(options: OAuthAuthorityOptions = {}) {
    this.options = {
      authorizePath: options.authorizePath ?? '/o/oauth2/v2/auth',
      tokenPath: options.tokenPath ?? '/token',
      revokePath: options.revokePath === undefined ? '/revoke' : options.revokePath,
      accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3600,
      rotateRefreshTokens: options.rotateRefreshTokens ?? false,
      scopeSeparator: options.scopeSeparator ?? ' ',
      errorBody: options.errorBody ?? ((error, description) => ({ error, error_description: description })),
      tokenPrefix: options.tokenPrefix ?? 'fake',
      errorStatus: options.errorStatus ?? ((error) => (error === 'invalid_client' ? 401 : 400)),
      tokenMethods: options.tokenMethods ?? ['POST'],
      defaultGrantType: options.defaultGrantType,
      issueRefreshTokens: options.issueRefreshTokens ?? true,
      answerScope: options.answerScope ?? true,
      requirePkce: options.requirePkce ?? false,
      longLivedExchange: options.longLivedExchange,
      refusal: options.refusal ?? (() => undefined),
      parametersInQuery: options.parametersInQuery ?? false,
      pkce: options.pkce ?? true,
      scopeAsArray: options.scopeAsArray ?? false,
      tokenType: options.tokenType ?? 'Bearer',
      jsonContentType: options.jsonContentType ?? 'application/json; charset=utf-8',
      revokeChecksClient: options.revokeChecksClient ?? false,
      emptyRevokeAnswer: options.emptyRevokeAnswer ?? false,
      deniedDescription: options.deniedDescription ?? 'The user denied the request',
    };
  }

  get authorizePath(): string {
    return this.options.authorizePath;
  }

  get tokenPath(): string {
    return this.options.tokenPath;
  }

  get revokePath(): string {
    if (this.options.revokePath === null) throw new Error('this authority has no revoke endpoint');
    return this.options.revokePath;
  }

  registerClient(client: OAuthClientRegistration): void {
    this.clients.set(client.clientId, client);
  }

  /** The account that the next authorizations consent as (the user logged in at the platform). */
  consentAs(subject: string): void {
    this.consentSubject = subject;
  }

  /** The next authorization is refused by the user: the redirect carries `error=access_denied`. */
  refuseNextConsent(): void {
    this.refuseNext = true;
  }

  /** Every access token handed out so far expires now, as if their hour had passed (derived tokens have no hour). */
  expireAccessTokens(): void {
    for (const token of this.accessTokens.values()) if (Number.isFinite(token.expiresAt)) token.expiresAt = 0;
  }

  /** Revokes one refresh token, or every one of a subject, as a user does in the account's settings. */
  revokeRefreshTokens(match: { token?: string; subject?: string }): void {
    for (const [token, grant] of this.refreshTokens) {
      if (token === match.token || grant.subject === match.subject) this.revoke(token);
    }
  }

  /** Routes the authority's own requests; answers false for any other path. */
  async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname === this.options.authorizePath && request.method === 'GET') {
      this.authorize(url, response);
      return true;
    }
    if (url.pathname === this.options.tokenPath && this.options.tokenMethods.some((method) => method === request.method)) {
      const form = request.method === 'GET' ? url.searchParams : await this.readParameters(request, url);
      try {
        this.sendJson(response, 200, this.token(form, request.headers.authorization));
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        this.refuse(response, 'token', error);
      }
      return true;
    }
    if (this.options.revokePath !== null && url.pathname === this.options.revokePath && request.method === 'POST') {
      // Google takes the token in the query or the form; either revokes the whole grant.
      const form = await readForm(request);
      const token = form.get('token') ?? url.searchParams.get('token') ?? '';
      try {
        if (this.options.revokeChecksClient) this.revokingClient(form.get('client_id') ?? url.searchParams.get('client_id'), token);
        if (token === '') throw new OAuthError('missing_parameter', 'invalid_request', 'Token expired or revoked', 'token');
        if (!this.revoke(token)) throw new OAuthError('invalid_token', 'invalid_request', 'Token expired or revoked');
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        // A revoke refusal is 400 whatever errorStatus says of token errors.
        this.refuse(response, 'revoke', error, 400);
        return true;
      }
      if (this.options.emptyRevokeAnswer) response.writeHead(200).end();
      else this.sendJson(response, 200, {});
      return true;
    }
    return false;
  }

  /**
   * Checks a resource request's `Authorization: Bearer` token: known, not expired, not revoked,
   * and carrying at least one of `acceptedScopes` (a platform's method lists the scopes any one of
   * which is enough; an empty list accepts any scope).
   */
  verifyBearer(request: IncomingMessage, acceptedScopes: readonly string[]): BearerCheck {
    const header = request.headers.authorization ?? '';
    return this.verifyToken(/^Bearer\s+(\S+)$/i.exec(header)?.[1], acceptedScopes);
  }

  /** `verifyBearer` for a token found elsewhere (Facebook's `access_token` parameter). */
  verifyToken(token: string | undefined, acceptedScopes: readonly string[]): BearerCheck {
    if (token === undefined || token === '') return { ok: false, status: 401, error: 'invalid_token', description: 'no bearer token', reason: 'missing' };
    const grant = this.accessTokens.get(token);
    if (grant === undefined) {
      const reason = this.revokedAccessTokens.has(token) ? 'revoked' : 'unknown';
      return { ok: false, status: 401, error: 'invalid_token', description: 'unknown or revoked token', reason };
    }
    if (grant.expiresAt <= Date.now()) return { ok: false, status: 401, error: 'invalid_token', description: 'token expired', reason: 'expired' };
    if (acceptedScopes.length > 0 && !acceptedScopes.some((scope) => grant.scopes.includes(scope))) {
      return { ok: false, status: 403, error: 'insufficient_scope', description: `needs one of ${acceptedScopes.join(', ')}` };
    }
    return { ok: true, grant: { clientId: grant.clientId, subject: grant.subject, scopes: grant.scopes }, token, expiresAt: grant.expiresAt };
  }

  /**
   * A token of the same grant for another subject that the consenting account acts as (Facebook's
   * page tokens): it has no expiry of its own and dies with the grant. Undefined when `token` is not
   * valid now.
   */
  issueDerivedToken(token: string, subject: string): string | undefined {
    const parent = this.accessTokens.get(token);
    if (parent === undefined || parent.expiresAt <= Date.now()) return undefined;
    const derived = this.mint('derived');
    this.accessTokens.set(derived, { ...parent, subject, expiresAt: Number.POSITIVE_INFINITY });
    return derived;
  }

  private authorize(url: URL, response: ServerResponse): void {
    const query = url.searchParams;
    const client = this.clients.get(query.get('client_id') ?? '');
    const redirectUri = query.get('redirect_uri') ?? '';
    // A wrong client or redirect URI is shown to the user, never redirected (RFC 6749 4.1.2.1).
    if (client === undefined || !client.redirectUris.includes(redirectUri)) {
      response.writeHead(400, { 'content-type': 'text/html' }).end('<h1>Error 400: redirect_uri_mismatch or unknown client</h1>');
      return;
    }
    const target = new URL(redirectUri);
    const state = query.get('state');
    if (state !== null) target.searchParams.set('state', state);
    const fail = (error: string, description: string): void => {
      target.searchParams.set('error', error);
      target.searchParams.set('error_description', description);
      response.writeHead(302, { location: target.toString() }).end();
    };
    if (query.get('response_type') !== 'code') return fail('unsupported_response_type', 'response_type must be code');
    const scopes = (query.get('scope') ?? '').split(this.options.scopeSeparator).filter(Boolean);
    if (scopes.length === 0) return fail('invalid_scope', 'scope is required');
    const challengeMethod = this.options.pkce ? (query.get('code_challenge_method') ?? undefined) : undefined;
    const challenge = this.options.pkce ? (query.get('code_challenge') ?? undefined) : undefined;
    if (challenge !== undefined && challengeMethod !== undefined && challengeMethod !== 'S256' && challengeMethod !== 'plain') {
      return fail('invalid_request', 'code_challenge_method must be S256 or plain');
    }
    if (this.options.requirePkce && (challenge === undefined || challengeMethod !== 'S256')) {
      return fail('invalid_request', 'code_challenge with code_challenge_method=S256 is required');
    }
    if (this.refuseNext) {
      this.refuseNext = false;
      return fail('access_denied', this.options.deniedDescription);
    }
    if (this.consentSubject === undefined) return fail('access_denied', 'no account is logged in at the fake (call consentAs)');
    const code = this.mint('code');
    this.codes.set(code, {
      clientId: client.clientId,
      subject: this.consentSubject,
      scopes,
      redirectUri,
      codeChallenge: challenge,
      codeChallengeMethod: challenge === undefined ? undefined : (challengeMethod ?? 'plain'),
      expiresAt: Date.now() + CODE_LIFETIME_MS,
    });
    target.searchParams.set('code', code);
    target.searchParams.set('scope', scopes.join(this.options.scopeSeparator));
    response.writeHead(302, { location: target.toString() }).end();
  }

  private token(form: URLSearchParams, authorization: string | undefined): Record<string, unknown> {
    const client = this.authenticateClient(form, authorization);
    const grantType = form.get('grant_type') ?? this.options.defaultGrantType ?? null;
    if (grantType === 'authorization_code') return this.exchangeCode(client, form);
    if (grantType === 'refresh_token') return this.refresh(client, form);
    const exchange = this.options.longLivedExchange;
    if (exchange !== undefined && grantType === exchange.grantType) return this.exchangeForLongLived(client, form.get(exchange.tokenParameter), exchange.lifetimeSeconds);
    if (grantType === null) throw new OAuthError('missing_parameter', 'invalid_request', 'Missing required parameter: grant_type', 'grant_type');
    throw new OAuthError('unsupported_grant_type', 'unsupported_grant_type', `Invalid grant_type: ${grantType}`);
  }

  /** The client authenticates with its secret in the form or with HTTP Basic (RFC 6749 2.3.1). */
  private authenticateClient(form: URLSearchParams, authorization: string | undefined): OAuthClientRegistration {
    let clientId = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (basic !== undefined) {
      const [id, password] = Buffer.from(basic, 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id ?? '');
      secret = decodeURIComponent(password ?? '');
    }
    if (clientId === null) throw new OAuthError('missing_parameter', 'invalid_request', 'Missing required parameter: client_id', 'client_id');
    const client = this.clients.get(clientId);
    if (client === undefined) throw new OAuthError('unknown_client', 'invalid_client', 'The OAuth client was not found.');
    if (client.clientSecret !== secret) throw new OAuthError('wrong_client_secret', 'invalid_client', 'The OAuth client was not found.');
    return client;
  }

  private exchangeCode(client: OAuthClientRegistration, form: URLSearchParams): Record<string, unknown> {
    const codeValue = form.get('code');
    if (codeValue === null) throw new OAuthError('missing_parameter', 'invalid_request', 'Missing required parameter: code', 'code');
    const code = this.codes.get(codeValue);
    // A code is single-use: the first exchange removes it, whatever its outcome.
    this.codes.delete(codeValue);
    if (code === undefined || code.expiresAt <= Date.now() || code.clientId !== client.clientId) {
      throw new OAuthError('invalid_code', 'invalid_grant', 'Malformed auth code.');
    }
    if (form.get('redirect_uri') !== code.redirectUri) throw new OAuthError('redirect_uri_mismatch', 'invalid_grant', 'Bad Request');
    if (code.codeChallenge !== undefined) {
      const verifier = form.get('code_verifier');
      if (verifier === null) throw new OAuthError('invalid_code_verifier', 'invalid_grant', 'Missing code verifier.');
      const computed = code.codeChallengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (computed !== code.codeChallenge) throw new OAuthError('invalid_code_verifier', 'invalid_grant', 'Invalid code verifier.');
    }
    const refreshToken = this.mint('refresh');
    this.refreshTokens.set(refreshToken, { clientId: code.clientId, subject: code.subject, scopes: code.scopes, revoked: false });
    return this.issue(code, refreshToken, true);
  }

  /** A valid access token traded for a longer-lived one of the same grant; the old one stays valid. */
  private exchangeForLongLived(client: OAuthClientRegistration, token: string | null, lifetimeSeconds: number): Record<string, unknown> {
    if (token === null) throw new OAuthError('missing_parameter', 'invalid_request', 'Missing required parameter: the token to exchange', this.options.longLivedExchange?.tokenParameter);
    const check = this.verifyToken(token, []);
    if (!check.ok) throw new OAuthError('invalid_token', 'invalid_grant', check.status === 401 && check.reason === 'expired' ? 'The token to exchange has expired.' : 'The token to exchange is not valid.');
    if (check.grant.clientId !== client.clientId) throw new OAuthError('invalid_token', 'invalid_grant', 'The token to exchange belongs to another client.');
    const grant = this.accessTokens.get(token);
    return this.issue(check.grant, grant?.refreshToken ?? this.mint('refresh'), false, lifetimeSeconds);
  }

  private refresh(client: OAuthClientRegistration, form: URLSearchParams): Record<string, unknown> {
    const value = form.get('refresh_token');
    if (value === null) throw new OAuthError('missing_parameter', 'invalid_request', 'Missing required parameter: refresh_token', 'refresh_token');
    const grant = this.refreshTokens.get(value);
    if (grant === undefined || grant.revoked || grant.clientId !== client.clientId) {
      throw new OAuthError('invalid_refresh_token', 'invalid_grant', 'Token has been expired or revoked.');
    }
    if (!this.options.rotateRefreshTokens) return this.issue(grant, value, false);
    grant.revoked = true;
    const next = this.mint('refresh');
    this.refreshTokens.set(next, { ...grant, revoked: false });
    return this.issue(grant, next, true);
  }

  /**
   * Issues an access token of a grant. The grant is kept under its refresh token, also where the
   * platform hands out none (`issueRefreshTokens: false`): revoking it still revokes every token.
   */
  private issue(grant: OAuthGrant, refreshToken: string, includeRefreshToken: boolean, lifetime = this.options.accessTokenLifetimeSeconds): Record<string, unknown> {
    const accessToken = this.mint('access');
    this.accessTokens.set(accessToken, { clientId: grant.clientId, subject: grant.subject, scopes: grant.scopes, expiresAt: Date.now() + lifetime * 1000, refreshToken });
    return {
      access_token: accessToken,
      token_type: this.options.tokenType,
      expires_in: lifetime,
      ...(this.options.answerScope ? { scope: this.options.scopeAsArray ? [...grant.scopes] : grant.scopes.join(this.options.scopeSeparator) } : {}),
      ...(includeRefreshToken && this.options.issueRefreshTokens ? { refresh_token: refreshToken } : {}),
    };
  }

  /** Revoking either token of a grant revokes the refresh token and every access token issued from it. */
  private revoke(token: string): boolean {
    const access = this.accessTokens.get(token);
    const refreshToken = access?.refreshToken ?? (this.refreshTokens.has(token) ? token : undefined);
    if (refreshToken === undefined) return false;
    const grant = this.refreshTokens.get(refreshToken);
    if (grant !== undefined) grant.revoked = true;
    for (const [value, issued] of this.accessTokens) {
      if (issued.refreshToken !== refreshToken) continue;
      this.accessTokens.delete(value);
      this.revokedAccessTokens.add(value);
    }
    return true;
  }

  /** Revoke with the client's id (Twitch): the client must be registered and the token its own. */
  private revokingClient(clientId: string | null, token: string): void {
    if (clientId === null || clientId === '') throw new OAuthError('missing_parameter', 'invalid_request', 'Missing required parameter: client_id', 'client_id');
    if (!this.clients.has(clientId)) throw new OAuthError('unknown_client', 'invalid_client', 'The OAuth client was not found.');
    const owner = this.accessTokens.get(token)?.clientId ?? this.refreshTokens.get(token)?.clientId;
    if (owner !== undefined && owner !== clientId) throw new OAuthError('invalid_token', 'invalid_request', 'Token expired or revoked');
  }

  /** The form body, and with `parametersInQuery` the query string too (the body wins where both have one). */
  private async readParameters(request: IncomingMessage, url: URL): Promise<URLSearchParams> {
    const form = await readForm(request);
    if (this.options.parametersInQuery) {
      for (const [name, value] of url.searchParams) if (!form.has(name)) form.set(name, value);
    }
    return form;
  }

  /** The platform's answer to a refused request (`refusal`), else `errorStatus` (or the endpoint's fixed status) and `errorBody`. */
  private refuse(response: ServerResponse, endpoint: OAuthRefusal['endpoint'], error: OAuthError, fixedStatus?: number): void {
    const status = fixedStatus ?? this.options.errorStatus(error.code);
    const refusal: OAuthRefusal = { endpoint, problem: error.problem, error: error.code, description: error.description, status, ...(error.parameter ? { parameter: error.parameter } : {}) };
    const answer = this.options.refusal(refusal) ?? { status, body: this.options.errorBody(error.code, error.description) };
    this.sendJson(response, answer.status, answer.body);
  }

  private mint(kind: string): string {
    const secret = `${this.options.tokenPrefix}_${kind}_${randomBytes(18).toString('base64url')}`;
    this.minted.add(secret);
    return secret;
  }

  /** Every code and token handed out so far: what a test looks for where it must never appear (logs). */
  issuedSecrets(): string[] {
    return [...this.minted];
  }

  private sendJson(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': this.options.jsonContentType, 'cache-control': 'no-store' }).end(JSON.stringify(body));
  }
}

/** The body of a request as text, whatever its type. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams(await readBody(request));
}
