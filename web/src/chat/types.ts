/**
 * The chat's names for what the server sends, taken from the types generated from `schema.graphql`
 * (`npm run codegen`), never restated by hand.
 */
import type { ChatMessageFieldsFragment, RoomEventsSubscription } from '../gql/graphql';

/** A message as every chat view shows it (the `ChatMessageFields` fragment). */
export type ChatMessage = ChatMessageFieldsFragment;

/** An event of a room's live feed (`roomEvents`). */
export type RoomEvent = RoomEventsSubscription['roomEvents'];

/** The AI tutor's reply while it is produced (TUTOR room events). */
export type TutorSignal = NonNullable<RoomEvent['tutor']>;
