/**
 * In class through GraphQL: hands, the Q&A, confusion and polls on a LiveClass (what a viewer may not see cut:
 * anonymous authors and open tallies for non-hosts, confusion for hosts only), and their mutations. The live events
 * travel on the class's stream (liveClassEvents, live/schema.ts).
 */
import { builder } from '../graphql/builder.js';
import { requireViewer } from '../graphql/viewer.js';
import type { Context } from '../graphql/context.js';
import type { Viewer } from '../auth/viewer.js';
import { pollForParticipant, questionForParticipant } from './access.js';
import type { LivePollOut, LivePollView, LiveQuestionOut, LiveQuestionView } from './events.js';
import { LiveConfusionRef, LiveHandRef, LivePollRef, LiveQuestionRef, LiveQuestionStatusEnum } from './view-schema.js';
import { LiveClassRef } from './schema.js';

const LivePollAnswerRef = builder.objectRef<{ pollId: string; option: number }>('LivePollAnswer').implement({
  description: "The viewer's answer to a poll (the option's index).",
  fields: (t) => ({ pollId: t.exposeID('pollId'), option: t.exposeInt('option') }),
});

/** Whether the viewer hosts the course (cached by the course checks). */
const hosts = (ctx: Context, viewer: Viewer, courseId: string) => ctx.services.liveInteraction.access.isHost(viewer, courseId);

async function questionFor(ctx: Context, viewer: Viewer, courseId: string, q: LiveQuestionView): Promise<LiveQuestionOut> {
  return (await hosts(ctx, viewer, courseId)) ? q : questionForParticipant(q);
}
async function pollFor(ctx: Context, viewer: Viewer, courseId: string, p: LivePollView): Promise<LivePollOut> {
  return (await hosts(ctx, viewer, courseId)) ? p : pollForParticipant(p);
}
/** The course of a class a mutation just acted on (it was read-checked). */
async function courseOf(ctx: Context, classId: string): Promise<string> {
  return (await ctx.services.liveInteraction.access.courseOfClass(classId))!.courseId;
}

builder.objectFields(LiveClassRef, (t) => ({
  hands: t.field({
    type: [LiveHandRef],
    description: 'Hands raised now, in arrival order.',
    resolve: (c, _a, ctx) => ctx.services.liveInteraction.hands(c.id),
  }),
  questions: t.field({
    type: [LiveQuestionRef],
    description: "The Q&A, most votes first, then oldest. Anonymous questions' authors are null except for hosts.",
    resolve: async (c, _a, ctx) => {
      const host = await hosts(ctx, requireViewer(ctx), c.courseId);
      const list = await ctx.services.liveInteraction.questions(c.id);
      return host ? list : list.map(questionForParticipant);
    },
  }),
  polls: t.field({
    type: [LivePollRef],
    description: 'The polls, oldest first. Hosts see tallies live; others once a poll is closed.',
    resolve: async (c, _a, ctx) => {
      const host = await hosts(ctx, requireViewer(ctx), c.courseId);
      const list = await ctx.services.liveInteraction.polls(c.id);
      return host ? list : list.map(pollForParticipant);
    },
  }),
  confusion: t.field({
    type: LiveConfusionRef,
    nullable: true,
    description: '"I\'m lost" signals over the class\'s window ending now: hosts only (null for anyone else).',
    resolve: (c, _a, ctx) => ctx.services.liveInteraction.confusion(requireViewer(ctx), c),
  }),
  myVotes: t.idList({
    description: 'The questions the viewer voted for.',
    resolve: (c, _a, ctx) => ctx.services.liveInteraction.myVotes(requireViewer(ctx), c.id),
  }),
  myPollAnswers: t.field({
    type: [LivePollAnswerRef],
    description: "The viewer's answers to the class's polls.",
    resolve: (c, _a, ctx) => ctx.services.liveInteraction.myPollAnswers(requireViewer(ctx), c.id),
  }),
  myConfusedAt: t.field({
    type: 'DateTime',
    nullable: true,
    description: 'When the viewer last signalled confusion in this class (a repeat within 30 seconds is not counted again).',
    resolve: (c, _a, ctx) => ctx.services.liveInteraction.myConfusedAt(requireViewer(ctx), c.id),
  }),
}));

builder.mutationFields((t) => ({
  raiseHand: t.field({
    type: LiveHandRef,
    description: 'Raises the viewer’s hand (raising it again keeps its place). CLASS_NOT_LIVE, NOT_JOINED.',
    args: { classId: t.arg.id({ required: true }) },
    resolve: (_r, { classId }, ctx) => ctx.services.liveInteraction.raiseHand(requireViewer(ctx), String(classId)),
  }),
  lowerHand: t.boolean({
    description: 'Lowers the viewer’s own hand (no userId), or anyone’s for a host (FORBIDDEN otherwise). False when it was not raised.',
    args: { classId: t.arg.id({ required: true }), userId: t.arg.id() },
    resolve: (_r, { classId, userId }, ctx) =>
      ctx.services.liveInteraction.lowerHand(requireViewer(ctx), String(classId), userId == null ? null : String(userId)),
  }),
  clearHands: t.int({
    description: 'Lowers every hand (hosts). Returns how many were raised.',
    args: { classId: t.arg.id({ required: true }) },
    resolve: (_r, { classId }, ctx) => ctx.services.liveInteraction.clearHands(requireViewer(ctx), String(classId)),
  }),
  askLiveQuestion: t.field({
    type: LiveQuestionRef,
    description:
      'Posts a question (1–1,000 characters) to the class Q&A; anonymous (to classmates; hosts see who asked) where the class allows it, else BAD_USER_INPUT (field anonymous). CLASS_NOT_LIVE, NOT_JOINED.',
    args: {
      classId: t.arg.id({ required: true }),
      body: t.arg.string({ required: true }),
      anonymous: t.arg.boolean({ defaultValue: false }),
    },
    resolve: async (_r, { classId, body, anonymous }, ctx) => {
      const viewer = requireViewer(ctx);
      const q = await ctx.services.liveInteraction.ask(viewer, String(classId), body, anonymous ?? false);
      return questionFor(ctx, viewer, await courseOf(ctx, q.classId), q);
    },
  }),
  voteLiveQuestion: t.field({
    type: LiveQuestionRef,
    description:
      'Upvotes a question, once per person: ALREADY_VOTED, OWN_QUESTION, QUESTION_CLOSED (answered or dismissed), FORBIDDEN for hosts, CLASS_NOT_LIVE, NOT_JOINED.',
    args: { questionId: t.arg.id({ required: true }) },
    resolve: async (_r, { questionId }, ctx) => {
      const viewer = requireViewer(ctx);
      const q = await ctx.services.liveInteraction.vote(viewer, String(questionId));
      return questionFor(ctx, viewer, await courseOf(ctx, q.classId), q);
    },
  }),
  setLiveQuestionStatus: t.field({
    type: LiveQuestionRef,
    description: 'Hosts mark a question answered, dismiss it, or open it again.',
    args: { questionId: t.arg.id({ required: true }), status: t.arg({ type: LiveQuestionStatusEnum, required: true }) },
    resolve: (_r, { questionId, status }, ctx) =>
      ctx.services.liveInteraction.setQuestionStatus(requireViewer(ctx), String(questionId), status),
  }),
  signalConfusion: t.boolean({
    description:
      '"I\'m lost", with an optional topic (at most 80 characters). A person counts once within the class\'s window; a repeat within 30 seconds is accepted and not counted. FORBIDDEN for hosts, CLASS_NOT_LIVE, NOT_JOINED.',
    args: { classId: t.arg.id({ required: true }), topic: t.arg.string() },
    resolve: (_r, { classId, topic }, ctx) => ctx.services.liveInteraction.signalConfusion(requireViewer(ctx), String(classId), topic),
  }),
  openLivePoll: t.field({
    type: LivePollRef,
    description: 'Hosts open a poll while the class is live: a question (1–300 characters) and 2–10 distinct options (1–100 each).',
    args: {
      classId: t.arg.id({ required: true }),
      question: t.arg.string({ required: true }),
      options: t.arg.stringList({ required: true }),
    },
    resolve: (_r, { classId, question, options }, ctx) =>
      ctx.services.liveInteraction.openPoll(requireViewer(ctx), String(classId), question, options),
  }),
  answerLivePoll: t.field({
    type: LivePollRef,
    description:
      'Answers a poll with an option’s index, once per person: ALREADY_ANSWERED, POLL_CLOSED, BAD_USER_INPUT (field option), FORBIDDEN for hosts, CLASS_NOT_LIVE, NOT_JOINED. The tally stays hidden until the poll closes.',
    args: { pollId: t.arg.id({ required: true }), option: t.arg.int({ required: true }) },
    resolve: async (_r, { pollId, option }, ctx) => {
      const viewer = requireViewer(ctx);
      const p = await ctx.services.liveInteraction.answerPoll(viewer, String(pollId), option);
      return pollFor(ctx, viewer, await courseOf(ctx, p.classId), p);
    },
  }),
  closeLivePoll: t.field({
    type: LivePollRef,
    description: 'Hosts close a poll: its results are shown to everyone.',
    args: { pollId: t.arg.id({ required: true }) },
    resolve: (_r, { pollId }, ctx) => ctx.services.liveInteraction.closePoll(requireViewer(ctx), String(pollId)),
  }),
}));
