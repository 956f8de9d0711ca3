// API reference › Message Types › TokenRefreshResponseMessage
// Seed omission: the exported types and the checks the declaration is held to.
import type { TokenRefreshResponseMessage as Exported, WebAppMessage } from '$lib/server/socket/types';
import type { Assignable } from '../check';

interface TokenRefreshResponseMessage {
  type: 'token_refresh_response';
  timestamp: string;
  data: {
    access_token: string;
    expires_at?: string;
    refresh_successful: boolean;
  };
}

// Checks added: the seed's message is the exported one (which may also name its job) and a WebAppMessage.
export const tokenRefreshMatches: [Assignable<TokenRefreshResponseMessage, Exported>, Assignable<Exported, TokenRefreshResponseMessage>] = [true, true];
export const isWebAppMessage: Assignable<TokenRefreshResponseMessage, WebAppMessage> = true;
