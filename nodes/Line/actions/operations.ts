/** Resource → operation → implementation. */
import { checkSetup } from './account/checkSetup';
import { getBotInfo } from './account/getBotInfo';
import { getQuota } from './account/getQuota';
import { markRead } from './chat/markRead';
import { showLoadingAnimation } from './chat/showLoadingAnimation';
import type { LineOperation } from './operation';
import { multicast } from './message/multicast';
import { reply } from './message/reply';
import { send } from './message/send';
import { getProfile } from './user/getProfile';

export const operations: Record<string, Record<string, LineOperation>> = {
	message: { send, reply, multicast },
	chat: { markRead, showLoadingAnimation },
	user: { getProfile },
	account: { getBotInfo, getQuota, checkSetup },
};
