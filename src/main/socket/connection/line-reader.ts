/**
 * The console's inbound framing is the shared framing module (both framings,
 * any mix; see src/shared/protocol/framing.ts), kept here under the names the
 * socket API has always exported.
 */
export {
  FrameReader as LineReader,
  type FrameEvent as LineEvent,
  type FrameReaderOptions as LineReaderOptions,
} from '../../../shared/protocol/framing';
