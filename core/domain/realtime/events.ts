// The one event map shared by the Socket.IO server (web), the broadcaster (worker) and the
// browser client. Events are named in the past tense: they report what happened.
import type { TicketProjectSummary } from '#core/domain/tickets/ticket-project.ts';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { IntegrationSummary, RepoSummary } from '#core/domain/integrations/integration.ts';
import type { Operation, OperationProgress } from '#core/domain/operations/operation.ts';

export interface ServerToClientEvents {
	'operation.started': (operation: Operation) => void;
	'operation.progressed': (progress: OperationProgress) => void;
	'operation.finished': (operation: Operation) => void;
	'integration.added': (integration: IntegrationSummary) => void;
	'integration.updated': (integration: IntegrationSummary) => void;
	'integration.removed': (removed: { id: string; organizationId: string; name: string }) => void;
	'repo.updated': (repo: RepoSummary) => void;
	'ticketProject.updated': (project: TicketProjectSummary) => void;
	/** Who is at a place now (each person once), newest by `at`. */
	'presence.changed': (presence: PresenceList) => void;
}

export interface ClientToServerEvents {
	/**
	 * After a reconnect: where the operations a page showed running are now, so it can still show
	 * the banner of one that ended while it was away. Only operations the socket may watch return.
	 */
	'operations.requested': (ids: string[], reply: (operations: Operation[]) => void) => void;
	/**
	 * The page shows this place now (see PresencePlace); a socket is at one place at a time. The
	 * answer says whether it is there (a place that is none, or not the person's to see, is refused).
	 */
	'presence.entered': (place: string, reply?: (entered: boolean) => void) => void;
	/** On an edit page: the field the person is in now, or null. */
	'presence.focused': (field: string | null) => void;
}

/**
 * Where a person is (SPEC F11): the integrations table, an integration's page, or its edit page.
 * Anything else a browser sends is ignored.
 */
export type PresencePlace = 'integrations' | `integration:${string}` | `integration:${string}:edit`;

const placePattern = /^(?:integrations|integration:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(:edit)?)$/;

export function parsePresencePlace(value: unknown): { place: PresencePlace; integrationId: string | null; editing: boolean } | null {
	if (typeof value !== 'string') return null;
	const match = placePattern.exec(value);
	if (!match) return null;
	return { place: value as PresencePlace, integrationId: match[1] ?? null, editing: match[2] !== undefined };
}

/** A field name on an edit page: short, letters only. */
export const presenceFieldPattern = /^[A-Za-z][A-Za-z0-9]{0,39}$/;

export interface PresencePerson {
	userId: string;
	name: string;
	/** The field they are in, on an edit page. */
	editing: string | null;
}

export interface PresenceList {
	place: string;
	people: PresencePerson[];
	/** When the list was made (ms): of two lists, the later counts. */
	at: number;
}

/** The server's answer to a handshake without a valid session: no retry can help. */
export const signInRefusal = 'Sign in first.';

/** At most this many ids per request: a page shows a few running operations, never hundreds. */
export const maxRequestedOperations = 100;

export interface RealtimePeer {
	role: 'web' | 'worker';
	pid: number;
	host: string;
}

/** Between server processes (web and worker), through the Postgres adapter. */
export interface InterServerEvents {
	'realtime.pinged': (sentAt: number, reply: (peer: RealtimePeer) => void) => void;
}

export interface SocketData {
	user: SignedInUser;
	sessionId: string;
	/** Where the socket's page is, once it said so. */
	presence?: { place: PresencePlace; editing: string | null };
}

/**
 * Rooms. A socket joins, at its handshake, only its own organisation's room (every event about
 * the organisation's data), its user's room and its session's room (so deactivation or sign-out
 * can close it from any process).
 */
export const organizationRoom = (organizationId: string) => `org:${organizationId}`;
/** Integration data and operations: only sockets of people with at least the "view" level. */
export const integrationsRoom = (organizationId: string) => `org:${organizationId}:integrations`;
/** System operations go to everyone in the organisation; integration work only to its viewers. */
export function roomOf(operation: Pick<Operation, 'organizationId' | 'scope'>): string {
	return operation.scope === 'system' ? organizationRoom(operation.organizationId) : integrationsRoom(operation.organizationId);
}
export const userRoom = (userId: string) => `user:${userId}`;
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
/** The people at one place of an organisation. */
export const presenceRoom = (organizationId: string, place: string) => `presence:${organizationId}:${place}`;
