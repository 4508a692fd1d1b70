/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment ActivityEntryFields on CourseActivityEntry {\n    id\n    type\n    actorId\n    actorName\n    data\n    createdAt\n  }\n": typeof types.ActivityEntryFieldsFragmentDoc,
    "\n  fragment AuditEntryFields on AuditEntry {\n    id\n    entity\n    entityId\n    subjectName\n    action\n    actorId\n    actorName\n    apiKeyId\n    before\n    after\n    createdAt\n  }\n": typeof types.AuditEntryFieldsFragmentDoc,
    "\n  query CourseActivity($courseId: ID!, $first: Int, $after: String) {\n    courseActivityEntries(courseId: $courseId, first: $first, after: $after) {\n      cursor\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...ActivityEntryFields\n        }\n      }\n    }\n  }\n": typeof types.CourseActivityDocument,
    "\n  subscription CourseActivityFeed($courseId: ID!, $after: String) {\n    courseActivityFeed(courseId: $courseId, after: $after) {\n      cursor\n      entry {\n        ...ActivityEntryFields\n      }\n    }\n  }\n": typeof types.CourseActivityFeedDocument,
    "\n  query AuditLog($courseId: ID!, $entity: String, $first: Int, $after: String) {\n    auditLog(courseId: $courseId, entity: $entity, first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AuditEntryFields\n        }\n      }\n    }\n  }\n": typeof types.AuditLogDocument,
    "\n  query AuditLogCsv($courseId: ID!, $entity: String) {\n    auditLogCsv(courseId: $courseId, entity: $entity)\n  }\n": typeof types.AuditLogCsvDocument,
    "\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    prefix\n    scopes\n    tenantWide\n    courseIds\n    createdBy {\n      id\n      name\n    }\n    createdAt\n    lastUsedAt\n    expiresAt\n    revokedAt\n  }\n": typeof types.ApiKeyFieldsFragmentDoc,
    "\n  query ApiKeys {\n    apiKeys {\n      ...ApiKeyFields\n    }\n  }\n": typeof types.ApiKeysDocument,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey {\n        ...ApiKeyFields\n      }\n    }\n  }\n": typeof types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      ...ApiKeyFields\n    }\n  }\n": typeof types.RevokeApiKeyDocument,
    "\n  query MyCalendarFeed {\n    myCalendarFeed {\n      url\n      createdAt\n    }\n  }\n": typeof types.MyCalendarFeedDocument,
    "\n  query CourseCalendarFeed($courseId: ID!) {\n    courseCalendarFeed(courseId: $courseId) {\n      url\n    }\n  }\n": typeof types.CourseCalendarFeedDocument,
    "\n  mutation RotateCalendarFeed {\n    rotateCalendarFeed {\n      url\n      createdAt\n    }\n  }\n": typeof types.RotateCalendarFeedDocument,
    "\n  mutation RevokeCalendarFeed {\n    revokeCalendarFeed\n  }\n": typeof types.RevokeCalendarFeedDocument,
    "\n  mutation RotateCourseCalendarFeed($courseId: ID!) {\n    rotateCourseCalendarFeed(courseId: $courseId) {\n      url\n    }\n  }\n": typeof types.RotateCourseCalendarFeedDocument,
    "\n  query SessionCalendarFile($sessionId: ID!) {\n    sessionCalendarFile(sessionId: $sessionId) {\n      filename\n      content\n    }\n  }\n": typeof types.SessionCalendarFileDocument,
    "\n  fragment ChatRoomFields on Room {\n    id\n    courseId\n    kind\n    name\n    topic\n    peer {\n      id\n      name\n      picture\n    }\n    archived\n    lastMessageAt\n    lastSeq\n    lastReadSeq\n    unreadCount\n    muted\n    canPost\n    postRefusal\n    canModerate\n    canAnnounce\n    memberCount\n    announcement {\n      ...AnnouncementFields\n    }\n  }\n": typeof types.ChatRoomFieldsFragmentDoc,
    "\n  fragment AnnouncementFields on Announcement {\n    pinnedAt\n    pinnedBy {\n      id\n      name\n    }\n    message {\n      id\n      seq\n      kind\n      body\n      language\n      author {\n        id\n        name\n      }\n      mentions {\n        id\n        name\n      }\n      createdAt\n      editedAt\n    }\n  }\n": typeof types.AnnouncementFieldsFragmentDoc,
    "\n  fragment ChatMessageFields on Message {\n    id\n    roomId\n    seq\n    kind\n    author {\n      id\n      name\n      picture\n      bot\n    }\n    body\n    language\n    replyTo {\n      id\n      authorName\n      excerpt\n      deleted\n    }\n    mentions {\n      id\n      name\n      picture\n    }\n    reactions {\n      emoji\n      count\n      userIds\n    }\n    createdAt\n    editedAt\n    deleted\n    deletedBy\n    clientId\n  }\n": typeof types.ChatMessageFieldsFragmentDoc,
    "\n  query ChatRooms($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      rooms {\n        ...ChatRoomFields\n      }\n      roomsCursor\n      presence {\n        userId\n        state\n        version\n      }\n    }\n  }\n": typeof types.ChatRoomsDocument,
    "\n  query RoomMessages($roomId: ID!, $last: Int, $before: String, $first: Int, $after: String, $around: ID) {\n    room(id: $roomId) {\n      ...ChatRoomFields\n      messages(last: $last, before: $before, first: $first, after: $after, around: $around) {\n        edges {\n          cursor\n          node {\n            ...ChatMessageFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.RoomMessagesDocument,
    "\n  query RoomMembers($roomId: ID!, $first: Int, $after: String) {\n    room(id: $roomId) {\n      id\n      members(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            user {\n              id\n              name\n              picture\n            }\n            courseRoles\n            role\n            muted\n            lastReadSeq\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.RoomMembersDocument,
    "\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      ...ChatMessageFields\n    }\n  }\n": typeof types.SendMessageDocument,
    "\n  mutation EditMessage($id: ID!, $body: String!, $language: String) {\n    editMessage(id: $id, body: $body, language: $language) {\n      ...ChatMessageFields\n    }\n  }\n": typeof types.EditMessageDocument,
    "\n  mutation DeleteMessage($id: ID!) {\n    deleteMessage(id: $id) {\n      ...ChatMessageFields\n    }\n  }\n": typeof types.DeleteMessageDocument,
    "\n  mutation SetReaction($messageId: ID!, $emoji: String!, $on: Boolean!) {\n    setReaction(messageId: $messageId, emoji: $emoji, on: $on) {\n      ...ChatMessageFields\n    }\n  }\n": typeof types.SetReactionDocument,
    "\n  mutation MarkRoomRead($roomId: ID!, $seq: String!) {\n    markRoomRead(roomId: $roomId, seq: $seq)\n  }\n": typeof types.MarkRoomReadDocument,
    "\n  mutation SetTyping($roomId: ID!, $typing: Boolean!) {\n    setTyping(roomId: $roomId, typing: $typing)\n  }\n": typeof types.SetTypingDocument,
    "\n  mutation OpenDirectRoom($courseId: ID!, $userId: ID!) {\n    openDirectRoom(courseId: $courseId, userId: $userId) {\n      ...ChatRoomFields\n    }\n  }\n": typeof types.OpenDirectRoomDocument,
    "\n  mutation CreateGroupRoom($courseId: ID!, $name: String!, $topic: String, $memberIds: [ID!]) {\n    createGroupRoom(courseId: $courseId, name: $name, topic: $topic, memberIds: $memberIds) {\n      ...ChatRoomFields\n    }\n  }\n": typeof types.CreateGroupRoomDocument,
    "\n  mutation SetRoomMemberMuted($roomId: ID!, $userId: ID!, $muted: Boolean!) {\n    setRoomMemberMuted(roomId: $roomId, userId: $userId, muted: $muted)\n  }\n": typeof types.SetRoomMemberMutedDocument,
    "\n  query SearchMessages($courseId: ID!, $query: String!, $first: Int, $after: String) {\n    searchMessages(courseId: $courseId, query: $query, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          roomId\n          roomName\n          roomKind\n          snippet\n          message {\n            ...ChatMessageFields\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": typeof types.SearchMessagesDocument,
    "\n  subscription RoomEvents($roomId: ID!, $after: String) {\n    roomEvents(roomId: $roomId, after: $after) {\n      cursor\n      type\n      message {\n        ...ChatMessageFields\n      }\n      userId\n      userName\n      typing\n      readSeq\n      expiresAt\n      tutor {\n        requestId\n        questionId\n        state\n        text\n      }\n    }\n  }\n": typeof types.RoomEventsDocument,
    "\n  subscription ChatActivity($courseId: ID!, $after: String) {\n    chatActivity(courseId: $courseId, after: $after) {\n      type\n      roomId\n      readSeq\n      message {\n        id\n        seq\n        kind\n        author {\n          id\n        }\n        createdAt\n      }\n      announcement {\n        ...AnnouncementFields\n      }\n    }\n  }\n": typeof types.ChatActivityDocument,
    "\n  mutation PinAnnouncement($messageId: ID!) {\n    pinAnnouncement(messageId: $messageId) {\n      ...ChatRoomFields\n    }\n  }\n": typeof types.PinAnnouncementDocument,
    "\n  mutation UnpinAnnouncement($roomId: ID!) {\n    unpinAnnouncement(roomId: $roomId) {\n      ...ChatRoomFields\n    }\n  }\n": typeof types.UnpinAnnouncementDocument,
    "\n  subscription Presence($courseId: ID!, $tabId: String, $section: String) {\n    presence(courseId: $courseId, tabId: $tabId, section: $section) {\n      userId\n      state\n      version\n    }\n  }\n": typeof types.PresenceDocument,
    "\n  mutation SetPresence($courseId: ID!, $tabId: String!, $state: PresenceState!, $section: String) {\n    setPresence(courseId: $courseId, tabId: $tabId, state: $state, section: $section)\n  }\n": typeof types.SetPresenceDocument,
    "\n  mutation UpdateRoom($id: ID!, $name: String, $topic: String, $archived: Boolean) {\n    updateRoom(id: $id, name: $name, topic: $topic, archived: $archived) {\n      ...ChatRoomFields\n    }\n  }\n": typeof types.UpdateRoomDocument,
    "\n  mutation AddRoomMembers($roomId: ID!, $userIds: [ID!]!) {\n    addRoomMembers(roomId: $roomId, userIds: $userIds) {\n      ...ChatRoomFields\n    }\n  }\n": typeof types.AddRoomMembersDocument,
    "\n  mutation RemoveRoomMember($roomId: ID!, $userId: ID!) {\n    removeRoomMember(roomId: $roomId, userId: $userId)\n  }\n": typeof types.RemoveRoomMemberDocument,
    "\n  query CollabDocument($id: ID!) {\n    collabDocument(id: $id) {\n      id\n      sessionId\n      ownerId\n      ownerName\n      state\n      cursor\n      textLength\n      editedAt\n      language\n      locked\n      viewerCanEdit\n      viewerCanManage\n    }\n  }\n": typeof types.CollabDocumentDocument,
    "\n  mutation ApplyCollabUpdate($documentId: ID!, $update: String!, $clientTag: String) {\n    applyCollabUpdate(documentId: $documentId, update: $update, clientTag: $clientTag) {\n      stored\n      cursor\n    }\n  }\n": typeof types.ApplyCollabUpdateDocument,
    "\n  mutation SendCollabAwareness($documentId: ID!, $update: String!) {\n    sendCollabAwareness(documentId: $documentId, update: $update)\n  }\n": typeof types.SendCollabAwarenessDocument,
    "\n  subscription CollabDocumentEvents($documentId: ID!, $after: String) {\n    collabDocumentEvents(documentId: $documentId, after: $after) {\n      __typename\n      ... on CollabUpdateEvent {\n        cursor\n        update\n        userId\n        kind\n        clientTag\n      }\n      ... on CollabAwarenessEvent {\n        userId\n        name\n        color\n        update\n      }\n    }\n  }\n": typeof types.CollabDocumentEventsDocument,
    "\n  mutation ResetCollabDocument($documentId: ID!) {\n    resetCollabDocument(documentId: $documentId) {\n      stored\n      cursor\n    }\n  }\n": typeof types.ResetCollabDocumentDocument,
    "\n  fragment CollabVersionFields on CollabVersion {\n    id\n    documentId\n    name\n    createdAt\n    createdByName\n  }\n": typeof types.CollabVersionFieldsFragmentDoc,
    "\n  query CollabVersions($documentId: ID!) {\n    collabVersions(documentId: $documentId) {\n      ...CollabVersionFields\n    }\n  }\n": typeof types.CollabVersionsDocument,
    "\n  mutation SaveCollabVersion($documentId: ID!, $name: String!) {\n    saveCollabVersion(documentId: $documentId, name: $name) {\n      ...CollabVersionFields\n    }\n  }\n": typeof types.SaveCollabVersionDocument,
    "\n  mutation RestoreCollabVersion($versionId: ID!) {\n    restoreCollabVersion(versionId: $versionId) {\n      stored\n      cursor\n    }\n  }\n": typeof types.RestoreCollabVersionDocument,
    "\n  fragment CollabSessionFields on CollabSession {\n    id\n    courseId\n    title\n    description\n    language\n    startingCode\n    visibility\n    accessCode\n    maxCollaborators\n    collaboratorCount\n    ownerId\n    ownerName\n    activity {\n      id\n      title\n    }\n    mode\n    locked\n    forkedAt\n    createdAt\n    updatedAt\n    viewerCanManage\n    viewerJoined\n    sharedDocumentId\n    viewerDocumentId\n    cursor\n  }\n": typeof types.CollabSessionFieldsFragmentDoc,
    "\n  fragment CollabCopyFields on CollabCopy {\n    userId\n    userName\n    started\n    document {\n      id\n      ownerId\n      textLength\n      editedAt\n      startedAt\n    }\n  }\n": typeof types.CollabCopyFieldsFragmentDoc,
    "\n  query CollabSessions($courseId: ID!) {\n    collabSessions(courseId: $courseId) {\n      cursor\n      sessions {\n        ...CollabSessionFields\n      }\n    }\n  }\n": typeof types.CollabSessionsDocument,
    "\n  subscription CourseCollabSessionEvents($courseId: ID!, $after: String) {\n    courseCollabSessionEvents(courseId: $courseId, after: $after) {\n      cursor\n      type\n      sessionId\n      session {\n        ...CollabSessionFields\n      }\n    }\n  }\n": typeof types.CourseCollabSessionEventsDocument,
    "\n  query CollabSession($id: ID!) {\n    collabSession(id: $id) {\n      ...CollabSessionFields\n    }\n  }\n": typeof types.CollabSessionDocument,
    "\n  query CollabSessionForActivity($activityId: ID!) {\n    collabSessionForActivity(activityId: $activityId) {\n      ...CollabSessionFields\n    }\n  }\n": typeof types.CollabSessionForActivityDocument,
    "\n  query CollabActivities($courseId: ID!) {\n    collabActivities(courseId: $courseId) {\n      id\n      title\n    }\n  }\n": typeof types.CollabActivitiesDocument,
    "\n  mutation CreateCollabSession($input: CreateCollabSessionInput!) {\n    createCollabSession(input: $input) {\n      ...CollabSessionFields\n    }\n  }\n": typeof types.CreateCollabSessionDocument,
    "\n  mutation UpdateCollabSession($id: ID!, $input: UpdateCollabSessionInput!) {\n    updateCollabSession(id: $id, input: $input) {\n      ...CollabSessionFields\n    }\n  }\n": typeof types.UpdateCollabSessionDocument,
    "\n  mutation DeleteCollabSession($id: ID!) {\n    deleteCollabSession(id: $id)\n  }\n": typeof types.DeleteCollabSessionDocument,
    "\n  mutation JoinCollabSession($id: ID!, $accessCode: String) {\n    joinCollabSession(id: $id, accessCode: $accessCode) {\n      id\n      sessionId\n      ownerId\n    }\n  }\n": typeof types.JoinCollabSessionDocument,
    "\n  mutation SetCollabSessionLocked($id: ID!, $locked: Boolean!) {\n    setCollabSessionLocked(id: $id, locked: $locked) {\n      ...CollabSessionFields\n    }\n  }\n": typeof types.SetCollabSessionLockedDocument,
    "\n  mutation ForkCollabSession($id: ID!) {\n    forkCollabSession(id: $id) {\n      ...CollabSessionFields\n    }\n  }\n": typeof types.ForkCollabSessionDocument,
    "\n  query CollabGrid($sessionId: ID!) {\n    collabGrid(sessionId: $sessionId) {\n      cursor\n      session {\n        ...CollabSessionFields\n      }\n      copies {\n        ...CollabCopyFields\n      }\n    }\n  }\n": typeof types.CollabGridDocument,
    "\n  subscription CollabSessionEvents($sessionId: ID!, $after: String) {\n    collabSessionEvents(sessionId: $sessionId, after: $after) {\n      cursor\n      type\n      sessionId\n      session {\n        ...CollabSessionFields\n      }\n      copy {\n        ...CollabCopyFields\n      }\n    }\n  }\n": typeof types.CollabSessionEventsDocument,
    "\n  query CollabReplay($documentId: ID!, $after: String, $first: Int) {\n    collabReplay(documentId: $documentId, after: $after, first: $first) {\n      documentId\n      base\n      hasMore\n      steps {\n        cursor\n        at\n        userId\n        userName\n        kind\n        update\n      }\n    }\n  }\n": typeof types.CollabReplayDocument,
    "\n  query CollabReplayDocument($id: ID!) {\n    collabDocument(id: $id) {\n      id\n      sessionId\n      ownerId\n      ownerName\n      language\n      textLength\n    }\n  }\n": typeof types.CollabReplayDocumentDocument,
    "\n  query Course($id: ID!) {\n    course(id: $id) {\n      id\n      title\n      label\n      myRoles\n    }\n  }\n": typeof types.CourseDocument,
    "\n  query CourseMembers($id: ID!, $first: Int, $after: String) {\n    course(id: $id) {\n      id\n      members(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            user {\n              id\n              name\n            }\n            roles\n            launched\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.CourseMembersDocument,
    "\n  fragment RosterSyncFields on RosterSync {\n    status\n    fetched\n    pages\n    startedAt\n    finishedAt\n    error\n  }\n": typeof types.RosterSyncFieldsFragmentDoc,
    "\n  query RosterSync($id: ID!) {\n    course(id: $id) {\n      id\n      rosterSync {\n        ...RosterSyncFields\n      }\n    }\n  }\n": typeof types.RosterSyncDocument,
    "\n  mutation SyncRoster($courseId: ID!) {\n    syncRoster(courseId: $courseId) {\n      ...RosterSyncFields\n    }\n  }\n": typeof types.SyncRosterDocument,
    "\n  query Courses($first: Int, $after: String) {\n    courses(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          title\n          label\n          myRoles\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": typeof types.CoursesDocument,
    "\n  query DeepLinkRequest($id: ID!) {\n    deepLinkRequest(id: $id) {\n      id\n      acceptMultiple\n      title\n      expiresAt\n      course {\n        id\n        title\n        label\n        myRoles\n      }\n    }\n  }\n": typeof types.DeepLinkRequestDocument,
    "\n  mutation SubmitDeepLink($requestId: ID!, $items: [DeepLinkItemInput!]!) {\n    submitDeepLink(requestId: $requestId, items: $items) {\n      returnUrl\n      jwt\n    }\n  }\n": typeof types.SubmitDeepLinkDocument,
    "\n  fragment DashboardLiveClassFields on LiveClass {\n    id\n    title\n    state\n    startsAt\n    endsAt\n    startedAt\n    endedAt\n    cursor\n    participants {\n      userId\n      userName\n      role\n      present\n    }\n    hands {\n      userId\n      userName\n      raisedAt\n    }\n    questions {\n      ...LiveQuestionFields\n    }\n    polls {\n      ...LivePollFields\n    }\n    confusion {\n      ...LiveConfusionFields\n    }\n  }\n": typeof types.DashboardLiveClassFieldsFragmentDoc,
    "\n  fragment LiveDashboardFields on LiveDashboard {\n    courseId\n    at\n    activeStudents\n    bySection {\n      section\n      count\n    }\n    students {\n      userId\n      userName\n      section\n      state\n    }\n    messagesPerMinute {\n      at\n      count\n    }\n    openQuestions\n    hands\n    confusionTrend {\n      at\n      count\n    }\n    present\n    admitted\n    tutor {\n      tokensToday\n      dailyBudget\n      monthTokens\n      monthlyBudget\n      questionsToday\n    }\n    struggles {\n      topic\n      count\n      source\n    }\n    answerWait {\n      answered\n      waiting\n      medianSeconds\n      p90Seconds\n      longestWaitingSeconds\n    }\n    liveClass {\n      ...DashboardLiveClassFields\n    }\n  }\n": typeof types.LiveDashboardFieldsFragmentDoc,
    "\n  fragment DashboardClassEventFields on LiveClassEvent {\n    cursor\n    type\n    at\n    classId\n    state\n    startedAt\n    endedAt\n    userId\n    count\n    participant {\n      userId\n      userName\n      role\n      present\n    }\n    hand {\n      userId\n      userName\n      raisedAt\n    }\n    question {\n      ...LiveQuestionFields\n    }\n    poll {\n      ...LivePollFields\n    }\n    confusion {\n      ...LiveConfusionFields\n    }\n  }\n": typeof types.DashboardClassEventFieldsFragmentDoc,
    "\n  query CourseLiveDashboard($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      liveDashboard {\n        ...LiveDashboardFields\n      }\n    }\n  }\n": typeof types.CourseLiveDashboardDocument,
    "\n  subscription LiveDashboardUpdates($courseId: ID!) {\n    liveDashboard(courseId: $courseId) {\n      ...LiveDashboardFields\n    }\n  }\n": typeof types.LiveDashboardUpdatesDocument,
    "\n  subscription DashboardClassEvents($classId: ID!, $after: String) {\n    liveClassEvents(classId: $classId, after: $after) {\n      ...DashboardClassEventFields\n    }\n  }\n": typeof types.DashboardClassEventsDocument,
    "\n  fragment LiveClassSummaryFields on LiveClass {\n    id\n    courseId\n    title\n    description\n    startsAt\n    endsAt\n    state\n    startedAt\n    endedAt\n    maxParticipants\n    participantCount\n    provider\n    recordingUrl\n    canHost\n    joined\n  }\n": typeof types.LiveClassSummaryFieldsFragmentDoc,
    "\n  fragment LiveClassEditFields on LiveClass {\n    id\n    title\n    description\n    startsAt\n    endsAt\n    state\n    maxParticipants\n    provider\n    meetingUrl\n    policy\n    thresholdPercent\n    anonymousQuestions\n    gradeLink {\n      id\n      title\n    }\n  }\n": typeof types.LiveClassEditFieldsFragmentDoc,
    "\n  fragment LiveQuestionFields on LiveQuestion {\n    id\n    classId\n    body\n    authorId\n    authorName\n    anonymous\n    status\n    votes\n    createdAt\n    answeredAt\n  }\n": typeof types.LiveQuestionFieldsFragmentDoc,
    "\n  fragment LivePollFields on LivePoll {\n    id\n    classId\n    question\n    options {\n      label\n      count\n    }\n    status\n    total\n    createdAt\n    closedAt\n  }\n": typeof types.LivePollFieldsFragmentDoc,
    "\n  fragment LiveConfusionFields on LiveConfusion {\n    count\n    present\n    windowSeconds\n    alertPercent\n    alert\n    topics {\n      topic\n      count\n    }\n    signals {\n      at\n      topic\n    }\n    at\n  }\n": typeof types.LiveConfusionFieldsFragmentDoc,
    "\n  fragment LiveAttendanceFields on LiveAttendance {\n    userId\n    userName\n    role\n    present\n    minutesPresent\n    measuredMinutes\n    correctedMinutes\n    scheduledMinutes\n    joins\n    score\n    passback\n    passbackError\n    passbackAt\n  }\n": typeof types.LiveAttendanceFieldsFragmentDoc,
    "\n  fragment LiveClassPageFields on LiveClass {\n    ...LiveClassSummaryFields\n    sessionId\n    roomId\n    meetingUrl\n    recordings {\n      id\n      url\n      startedAt\n      endedAt\n      minutes\n    }\n    policy\n    thresholdPercent\n    anonymousQuestions\n    confusionWindowSeconds\n    confusionAlertPercent\n    gradeLink {\n      id\n      title\n    }\n    participants {\n      userId\n      userName\n      role\n      present\n    }\n    hands {\n      userId\n      userName\n      raisedAt\n    }\n    questions {\n      ...LiveQuestionFields\n    }\n    polls {\n      ...LivePollFields\n    }\n    confusion {\n      ...LiveConfusionFields\n    }\n    myVotes\n    myPollAnswers {\n      pollId\n      option\n    }\n    myConfusedAt\n    attendance {\n      ...LiveAttendanceFields\n    }\n    myAttendance {\n      ...LiveAttendanceFields\n    }\n    cursor\n  }\n": typeof types.LiveClassPageFieldsFragmentDoc,
    "\n  query CourseLiveClasses($id: ID!) {\n    course(id: $id) {\n      id\n      liveClasses {\n        cursor\n        classes {\n          ...LiveClassSummaryFields\n        }\n      }\n    }\n  }\n": typeof types.CourseLiveClassesDocument,
    "\n  subscription CourseLiveClassEvents($courseId: ID!, $after: String) {\n    courseLiveClassEvents(courseId: $courseId, after: $after) {\n      cursor\n      type\n      classId\n      liveClass {\n        ...LiveClassSummaryFields\n      }\n    }\n  }\n": typeof types.CourseLiveClassEventsDocument,
    "\n  query LivePlanOptions($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      liveMeetingProviders\n      scheduleSettings {\n        timeZone\n      }\n    }\n    liveGradeLinks(courseId: $courseId) {\n      id\n      title\n    }\n  }\n": typeof types.LivePlanOptionsDocument,
    "\n  query LiveClassEdit($id: ID!) {\n    liveClass(id: $id) {\n      ...LiveClassEditFields\n    }\n  }\n": typeof types.LiveClassEditDocument,
    "\n  query LiveClass($id: ID!) {\n    liveClass(id: $id) {\n      ...LiveClassPageFields\n    }\n  }\n": typeof types.LiveClassDocument,
    "\n  query LiveChatRoom($id: ID!) {\n    room(id: $id) {\n      ...ChatRoomFields\n    }\n  }\n": typeof types.LiveChatRoomDocument,
    "\n  query LiveAttendanceCsv($id: ID!) {\n    liveClass(id: $id) {\n      id\n      attendanceCsv\n    }\n  }\n": typeof types.LiveAttendanceCsvDocument,
    "\n  subscription LiveClassEvents($classId: ID!, $after: String) {\n    liveClassEvents(classId: $classId, after: $after) {\n      cursor\n      type\n      at\n      classId\n      state\n      startedAt\n      endedAt\n      recordingUrl\n      participant {\n        userId\n        userName\n        role\n        present\n      }\n      hand {\n        userId\n        userName\n        raisedAt\n      }\n      userId\n      count\n      question {\n        ...LiveQuestionFields\n      }\n      confusion {\n        ...LiveConfusionFields\n      }\n      poll {\n        ...LivePollFields\n      }\n      attendance {\n        ...LiveAttendanceFields\n      }\n    }\n  }\n": typeof types.LiveClassEventsDocument,
    "\n  mutation CreateLiveClass($courseId: ID!, $input: LiveClassInput!) {\n    createLiveClass(courseId: $courseId, input: $input) {\n      ...LiveClassSummaryFields\n    }\n  }\n": typeof types.CreateLiveClassDocument,
    "\n  mutation UpdateLiveClass($id: ID!, $input: LiveClassInput!) {\n    updateLiveClass(id: $id, input: $input) {\n      ...LiveClassSummaryFields\n      ...LiveClassEditFields\n    }\n  }\n": typeof types.UpdateLiveClassDocument,
    "\n  mutation DeleteLiveClass($id: ID!) {\n    deleteLiveClass(id: $id)\n  }\n": typeof types.DeleteLiveClassDocument,
    "\n  mutation StartLiveClass($id: ID!) {\n    startLiveClass(id: $id) {\n      ...LiveClassPageFields\n    }\n  }\n": typeof types.StartLiveClassDocument,
    "\n  mutation EndLiveClass($id: ID!) {\n    endLiveClass(id: $id) {\n      ...LiveClassPageFields\n    }\n  }\n": typeof types.EndLiveClassDocument,
    "\n  mutation SetLiveRecordingUrl($id: ID!, $url: String) {\n    setLiveRecordingUrl(id: $id, url: $url) {\n      id\n      recordingUrl\n    }\n  }\n": typeof types.SetLiveRecordingUrlDocument,
    "\n  mutation JoinLiveClass($id: ID!) {\n    joinLiveClass(id: $id) {\n      meetingUrl\n      liveClass {\n        ...LiveClassPageFields\n      }\n    }\n  }\n": typeof types.JoinLiveClassDocument,
    "\n  mutation LiveHeartbeat($id: ID!) {\n    liveHeartbeat(id: $id)\n  }\n": typeof types.LiveHeartbeatDocument,
    "\n  mutation RaiseHand($classId: ID!) {\n    raiseHand(classId: $classId) {\n      userId\n      userName\n      raisedAt\n    }\n  }\n": typeof types.RaiseHandDocument,
    "\n  mutation LowerHand($classId: ID!, $userId: ID) {\n    lowerHand(classId: $classId, userId: $userId)\n  }\n": typeof types.LowerHandDocument,
    "\n  mutation ClearHands($classId: ID!) {\n    clearHands(classId: $classId)\n  }\n": typeof types.ClearHandsDocument,
    "\n  mutation AskLiveQuestion($classId: ID!, $body: String!, $anonymous: Boolean) {\n    askLiveQuestion(classId: $classId, body: $body, anonymous: $anonymous) {\n      ...LiveQuestionFields\n    }\n  }\n": typeof types.AskLiveQuestionDocument,
    "\n  mutation VoteLiveQuestion($questionId: ID!) {\n    voteLiveQuestion(questionId: $questionId) {\n      ...LiveQuestionFields\n    }\n  }\n": typeof types.VoteLiveQuestionDocument,
    "\n  mutation SetLiveQuestionStatus($questionId: ID!, $status: LiveQuestionStatus!) {\n    setLiveQuestionStatus(questionId: $questionId, status: $status) {\n      ...LiveQuestionFields\n    }\n  }\n": typeof types.SetLiveQuestionStatusDocument,
    "\n  mutation SignalConfusion($classId: ID!, $topic: String) {\n    signalConfusion(classId: $classId, topic: $topic)\n  }\n": typeof types.SignalConfusionDocument,
    "\n  mutation OpenLivePoll($classId: ID!, $question: String!, $options: [String!]!) {\n    openLivePoll(classId: $classId, question: $question, options: $options) {\n      ...LivePollFields\n    }\n  }\n": typeof types.OpenLivePollDocument,
    "\n  mutation AnswerLivePoll($pollId: ID!, $option: Int!) {\n    answerLivePoll(pollId: $pollId, option: $option) {\n      ...LivePollFields\n    }\n  }\n": typeof types.AnswerLivePollDocument,
    "\n  mutation CloseLivePoll($pollId: ID!) {\n    closeLivePoll(pollId: $pollId) {\n      ...LivePollFields\n    }\n  }\n": typeof types.CloseLivePollDocument,
    "\n  mutation CorrectLiveAttendance($classId: ID!, $userId: ID!, $minutes: Int) {\n    correctLiveAttendance(classId: $classId, userId: $userId, minutes: $minutes) {\n      ...LiveAttendanceFields\n    }\n  }\n": typeof types.CorrectLiveAttendanceDocument,
    "\n  mutation RetryLivePassback($classId: ID!) {\n    retryLivePassback(classId: $classId)\n  }\n": typeof types.RetryLivePassbackDocument,
    "\n  fragment NotificationFields on Notification {\n    id\n    type\n    courseId\n    courseTitle\n    actorName\n    roomId\n    messageId\n    excerpt\n    data\n    read\n    createdAt\n  }\n": typeof types.NotificationFieldsFragmentDoc,
    "\n  query Notifications($first: Int, $after: String) {\n    unreadNotificationCount\n    notifications(first: $first, after: $after) {\n      cursor\n      edges {\n        cursor\n        node {\n          ...NotificationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": typeof types.NotificationsDocument,
    "\n  subscription NotificationEvents($after: String) {\n    notificationEvents(after: $after) {\n      cursor\n      type\n      notification {\n        ...NotificationFields\n      }\n      readIds\n      allRead\n      unreadCount\n    }\n  }\n": typeof types.NotificationEventsDocument,
    "\n  mutation MarkNotificationRead($id: ID!) {\n    markNotificationRead(id: $id)\n  }\n": typeof types.MarkNotificationReadDocument,
    "\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n": typeof types.MarkNotificationsReadDocument,
    "\n  query NotificationPreferences {\n    notificationPreferences {\n      type\n      label\n      group\n      muted\n    }\n  }\n": typeof types.NotificationPreferencesDocument,
    "\n  mutation SetNotificationMuted($type: String!, $muted: Boolean!) {\n    setNotificationMuted(type: $type, muted: $muted) {\n      type\n      label\n      group\n      muted\n    }\n  }\n": typeof types.SetNotificationMutedDocument,
    "\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n": typeof types.MarkAllNotificationsReadDocument,
    "\n  fragment OfficeHourWindowFields on OfficeHourWindow {\n    id\n    hostId\n    hostName\n    title\n    weekday\n    startTime\n    endTime\n    timeZone\n    slotMinutes\n    horizonDays\n    minNoticeMinutes\n    cancelNoticeMinutes\n    location\n    meetingUrl\n    status\n  }\n": typeof types.OfficeHourWindowFieldsFragmentDoc,
    "\n  fragment OfficeHourBookingFields on OfficeHourBooking {\n    id\n    windowId\n    windowTitle\n    sessionId\n    hostId\n    hostName\n    studentId\n    studentName\n    startsAt\n    endsAt\n    timeZone\n    question\n    location\n    meetingUrl\n    status\n  }\n": typeof types.OfficeHourBookingFieldsFragmentDoc,
    "\n  query OfficeHoursOverview($courseId: ID!, $from: DateTime) {\n    officeHours(courseId: $courseId) {\n      cursor\n      windows {\n        ...OfficeHourWindowFields\n      }\n    }\n    officeHourBookings(courseId: $courseId, from: $from) {\n      cursor\n      bookings {\n        ...OfficeHourBookingFields\n      }\n    }\n  }\n": typeof types.OfficeHoursOverviewDocument,
    "\n  query OfficeHourDays($windowId: ID!, $from: String!, $to: String!) {\n    officeHourDays(windowId: $windowId, from: $from, to: $to) {\n      windowId\n      day\n      waitlistSize\n      waitlistPosition\n      waitlistStatus\n      slots {\n        startsAt\n        endsAt\n        state\n        bookingId\n      }\n    }\n  }\n": typeof types.OfficeHourDaysDocument,
    "\n  mutation PublishOfficeHours($input: PublishOfficeHoursInput!) {\n    publishOfficeHours(input: $input) {\n      ...OfficeHourWindowFields\n    }\n  }\n": typeof types.PublishOfficeHoursDocument,
    "\n  mutation WithdrawOfficeHours($id: ID!) {\n    withdrawOfficeHours(id: $id) {\n      ...OfficeHourWindowFields\n    }\n  }\n": typeof types.WithdrawOfficeHoursDocument,
    "\n  mutation BookOfficeHour($windowId: ID!, $startsAt: DateTime!, $question: String, $orNextFree: Boolean) {\n    bookOfficeHour(windowId: $windowId, startsAt: $startsAt, question: $question, orNextFree: $orNextFree) {\n      ...OfficeHourBookingFields\n    }\n  }\n": typeof types.BookOfficeHourDocument,
    "\n  mutation CancelOfficeHourBooking($id: ID!) {\n    cancelOfficeHourBooking(id: $id) {\n      ...OfficeHourBookingFields\n    }\n  }\n": typeof types.CancelOfficeHourBookingDocument,
    "\n  mutation JoinOfficeHourWaitlist($windowId: ID!, $day: String!) {\n    joinOfficeHourWaitlist(windowId: $windowId, day: $day) {\n      id\n      day\n      status\n      position\n    }\n  }\n": typeof types.JoinOfficeHourWaitlistDocument,
    "\n  mutation LeaveOfficeHourWaitlist($windowId: ID!, $day: String!) {\n    leaveOfficeHourWaitlist(windowId: $windowId, day: $day)\n  }\n": typeof types.LeaveOfficeHourWaitlistDocument,
    "\n  subscription OfficeHourEvents($courseId: ID!, $after: String) {\n    officeHourEvents(courseId: $courseId, after: $after) {\n      cursor\n      type\n      windowId\n      startsAt\n      bookingId\n      mine\n    }\n  }\n": typeof types.OfficeHourEventsDocument,
    "\n  query SessionReminders($sessionId: ID!) {\n    sessionReminders(sessionId: $sessionId) {\n      userId\n      userName\n      offsetMinutes\n      dueAt\n      state\n      sentAt\n      error\n    }\n  }\n": typeof types.SessionRemindersDocument,
    "\n  fragment ScheduleSessionFields on ScheduleSession {\n    id\n    courseId\n    kind\n    seriesId\n    recurrenceId\n    title\n    description\n    startsAt\n    endsAt\n    timeZone\n    hostId\n    hostName\n    audience\n    studentId\n    studentName\n    roomId\n    roomName\n    location\n    meetingUrl\n    status\n    sequence\n    canEdit\n  }\n": typeof types.ScheduleSessionFieldsFragmentDoc,
    "\n  query CourseSchedule($id: ID!, $from: DateTime!, $to: DateTime!) {\n    course(id: $id) {\n      id\n      schedule(from: $from, to: $to) {\n        cursor\n        sessions {\n          ...ScheduleSessionFields\n        }\n      }\n      scheduleSettings {\n        timeZone\n        reminderOffsets\n        isSet\n      }\n    }\n  }\n": typeof types.CourseScheduleDocument,
    "\n  query ScheduleSessionDetails($id: ID!) {\n    scheduleSession(id: $id) {\n      ...ScheduleSessionFields\n      attendance {\n        userId\n        userName\n        attendance\n        completed\n      }\n    }\n  }\n": typeof types.ScheduleSessionDetailsDocument,
    "\n  subscription ScheduleEvents($courseId: ID!, $after: String) {\n    scheduleEvents(courseId: $courseId, after: $after) {\n      cursor\n      type\n      sessionId\n      session {\n        ...ScheduleSessionFields\n      }\n    }\n  }\n": typeof types.ScheduleEventsDocument,
    "\n  mutation CreateScheduleSession($input: CreateScheduleSessionInput!, $force: Boolean) {\n    createScheduleSession(input: $input, force: $force) {\n      ...ScheduleSessionFields\n    }\n  }\n": typeof types.CreateScheduleSessionDocument,
    "\n  mutation UpdateScheduleSession($id: ID!, $input: UpdateScheduleSessionInput!, $scope: ScheduleEditScope, $force: Boolean) {\n    updateScheduleSession(id: $id, input: $input, scope: $scope, force: $force) {\n      ...ScheduleSessionFields\n    }\n  }\n": typeof types.UpdateScheduleSessionDocument,
    "\n  mutation MoveScheduleSession($id: ID!, $startsAt: DateTime!, $endsAt: DateTime!, $scope: ScheduleEditScope, $force: Boolean) {\n    moveScheduleSession(id: $id, startsAt: $startsAt, endsAt: $endsAt, scope: $scope, force: $force) {\n      ...ScheduleSessionFields\n    }\n  }\n": typeof types.MoveScheduleSessionDocument,
    "\n  mutation CancelScheduleSession($id: ID!, $scope: ScheduleEditScope) {\n    cancelScheduleSession(id: $id, scope: $scope) {\n      ...ScheduleSessionFields\n    }\n  }\n": typeof types.CancelScheduleSessionDocument,
    "\n  mutation MarkAttendance($sessionId: ID!, $userId: ID!, $attendance: AttendanceMark, $completed: Boolean) {\n    markAttendance(sessionId: $sessionId, userId: $userId, attendance: $attendance, completed: $completed) {\n      userId\n      userName\n      attendance\n      completed\n    }\n  }\n": typeof types.MarkAttendanceDocument,
    "\n  mutation UpdateScheduleSettings($courseId: ID!, $timeZone: String, $reminderOffsets: [Int!]) {\n    updateScheduleSettings(courseId: $courseId, timeZone: $timeZone, reminderOffsets: $reminderOffsets) {\n      timeZone\n      reminderOffsets\n      isSet\n    }\n  }\n": typeof types.UpdateScheduleSettingsDocument,
    "\n  query SchedulePeople($id: ID!) {\n    course(id: $id) {\n      id\n      members(first: 100) {\n        edges {\n          node {\n            roles\n            user {\n              id\n              name\n            }\n          }\n        }\n      }\n      rooms {\n        id\n        kind\n        name\n        archived\n      }\n    }\n  }\n": typeof types.SchedulePeopleDocument,
    "\n  mutation RefreshSession {\n    refreshSession {\n      token\n      expiresAt\n    }\n  }\n": typeof types.RefreshSessionDocument,
    "\n  fragment TutorUsageFields on TutorUsage {\n    cursor\n    courseId\n    usedToday\n    dailyLimit\n    remainingToday\n    courseUsedThisMonth\n    courseMonthlyLimit\n    warning\n    tokensPerQuestion\n    questionsLeft\n    percentLeftToday\n    blockedBy\n    resetsAt\n    blockedUntil\n  }\n": typeof types.TutorUsageFieldsFragmentDoc,
    "\n  fragment TutorSettingsFields on TutorSettings {\n    mode\n    brief\n    userDailyTokens\n    courseMonthlyTokens\n    tokensPerQuestion\n    provider\n    model\n  }\n": typeof types.TutorSettingsFieldsFragmentDoc,
    "\n  query TutorHome($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      tutorSettings {\n        ...TutorSettingsFields\n      }\n    }\n  }\n": typeof types.TutorHomeDocument,
    "\n  query TutorUsage($courseId: ID!) {\n    myTutorUsage(courseId: $courseId) {\n      ...TutorUsageFields\n    }\n  }\n": typeof types.TutorUsageDocument,
    "\n  mutation OpenTutorRoom($courseId: ID!) {\n    openTutorRoom(courseId: $courseId) {\n      ...ChatRoomFields\n    }\n  }\n": typeof types.OpenTutorRoomDocument,
    "\n  subscription TutorUsageLive($courseId: ID!, $after: String) {\n    tutorUsage(courseId: $courseId, after: $after) {\n      ...TutorUsageFields\n    }\n  }\n": typeof types.TutorUsageLiveDocument,
    "\n  mutation CancelTutorReply($requestId: ID!) {\n    cancelTutorReply(requestId: $requestId)\n  }\n": typeof types.CancelTutorReplyDocument,
    "\n  mutation RetryTutorReply($requestId: ID!) {\n    retryTutorReply(requestId: $requestId)\n  }\n": typeof types.RetryTutorReplyDocument,
    "\n  query TutorDashboard($courseId: ID!, $days: Int) {\n    course(id: $courseId) {\n      id\n      tutorSettings {\n        ...TutorSettingsFields\n      }\n      tutorUsageReport(days: $days) {\n        cursor\n        byDay {\n          day\n          promptTokens\n          completionTokens\n          costUsd\n          calls\n          refused\n        }\n        byStudent {\n          userId\n          name\n          tutorRoomId\n          promptTokens\n          completionTokens\n          costUsd\n          calls\n          refused\n        }\n        byModel {\n          model\n          promptTokens\n          completionTokens\n          costUsd\n          calls\n        }\n      }\n    }\n  }\n": typeof types.TutorDashboardDocument,
    "\n  subscription TutorReportLive($courseId: ID!, $after: String) {\n    tutorReportEvents(courseId: $courseId, after: $after) {\n      cursor\n      day\n      userId\n      name\n      tutorRoomId\n      model\n      promptTokens\n      completionTokens\n      costUsd\n      calls\n      refused\n    }\n  }\n": typeof types.TutorReportLiveDocument,
    "\n  query TutorStudentRoom($roomId: ID!) {\n    room(id: $roomId) {\n      ...ChatRoomFields\n    }\n  }\n": typeof types.TutorStudentRoomDocument,
    "\n  mutation UpdateTutorSettings($courseId: ID!, $mode: TutorMode, $brief: String, $userDailyTokens: Int, $courseMonthlyTokens: Int) {\n    updateTutorSettings(\n      courseId: $courseId\n      mode: $mode\n      brief: $brief\n      userDailyTokens: $userDailyTokens\n      courseMonthlyTokens: $courseMonthlyTokens\n    ) {\n      ...TutorSettingsFields\n    }\n  }\n": typeof types.UpdateTutorSettingsDocument,
    "\n  query Me {\n    me {\n      kind\n      user {\n        id\n        name\n      }\n      tenant {\n        id\n        name\n      }\n      course {\n        id\n        title\n        label\n      }\n      roles\n      administrator\n    }\n  }\n": typeof types.MeDocument,
};
const documents: Documents = {
    "\n  fragment ActivityEntryFields on CourseActivityEntry {\n    id\n    type\n    actorId\n    actorName\n    data\n    createdAt\n  }\n": types.ActivityEntryFieldsFragmentDoc,
    "\n  fragment AuditEntryFields on AuditEntry {\n    id\n    entity\n    entityId\n    subjectName\n    action\n    actorId\n    actorName\n    apiKeyId\n    before\n    after\n    createdAt\n  }\n": types.AuditEntryFieldsFragmentDoc,
    "\n  query CourseActivity($courseId: ID!, $first: Int, $after: String) {\n    courseActivityEntries(courseId: $courseId, first: $first, after: $after) {\n      cursor\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...ActivityEntryFields\n        }\n      }\n    }\n  }\n": types.CourseActivityDocument,
    "\n  subscription CourseActivityFeed($courseId: ID!, $after: String) {\n    courseActivityFeed(courseId: $courseId, after: $after) {\n      cursor\n      entry {\n        ...ActivityEntryFields\n      }\n    }\n  }\n": types.CourseActivityFeedDocument,
    "\n  query AuditLog($courseId: ID!, $entity: String, $first: Int, $after: String) {\n    auditLog(courseId: $courseId, entity: $entity, first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AuditEntryFields\n        }\n      }\n    }\n  }\n": types.AuditLogDocument,
    "\n  query AuditLogCsv($courseId: ID!, $entity: String) {\n    auditLogCsv(courseId: $courseId, entity: $entity)\n  }\n": types.AuditLogCsvDocument,
    "\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    prefix\n    scopes\n    tenantWide\n    courseIds\n    createdBy {\n      id\n      name\n    }\n    createdAt\n    lastUsedAt\n    expiresAt\n    revokedAt\n  }\n": types.ApiKeyFieldsFragmentDoc,
    "\n  query ApiKeys {\n    apiKeys {\n      ...ApiKeyFields\n    }\n  }\n": types.ApiKeysDocument,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey {\n        ...ApiKeyFields\n      }\n    }\n  }\n": types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      ...ApiKeyFields\n    }\n  }\n": types.RevokeApiKeyDocument,
    "\n  query MyCalendarFeed {\n    myCalendarFeed {\n      url\n      createdAt\n    }\n  }\n": types.MyCalendarFeedDocument,
    "\n  query CourseCalendarFeed($courseId: ID!) {\n    courseCalendarFeed(courseId: $courseId) {\n      url\n    }\n  }\n": types.CourseCalendarFeedDocument,
    "\n  mutation RotateCalendarFeed {\n    rotateCalendarFeed {\n      url\n      createdAt\n    }\n  }\n": types.RotateCalendarFeedDocument,
    "\n  mutation RevokeCalendarFeed {\n    revokeCalendarFeed\n  }\n": types.RevokeCalendarFeedDocument,
    "\n  mutation RotateCourseCalendarFeed($courseId: ID!) {\n    rotateCourseCalendarFeed(courseId: $courseId) {\n      url\n    }\n  }\n": types.RotateCourseCalendarFeedDocument,
    "\n  query SessionCalendarFile($sessionId: ID!) {\n    sessionCalendarFile(sessionId: $sessionId) {\n      filename\n      content\n    }\n  }\n": types.SessionCalendarFileDocument,
    "\n  fragment ChatRoomFields on Room {\n    id\n    courseId\n    kind\n    name\n    topic\n    peer {\n      id\n      name\n      picture\n    }\n    archived\n    lastMessageAt\n    lastSeq\n    lastReadSeq\n    unreadCount\n    muted\n    canPost\n    postRefusal\n    canModerate\n    canAnnounce\n    memberCount\n    announcement {\n      ...AnnouncementFields\n    }\n  }\n": types.ChatRoomFieldsFragmentDoc,
    "\n  fragment AnnouncementFields on Announcement {\n    pinnedAt\n    pinnedBy {\n      id\n      name\n    }\n    message {\n      id\n      seq\n      kind\n      body\n      language\n      author {\n        id\n        name\n      }\n      mentions {\n        id\n        name\n      }\n      createdAt\n      editedAt\n    }\n  }\n": types.AnnouncementFieldsFragmentDoc,
    "\n  fragment ChatMessageFields on Message {\n    id\n    roomId\n    seq\n    kind\n    author {\n      id\n      name\n      picture\n      bot\n    }\n    body\n    language\n    replyTo {\n      id\n      authorName\n      excerpt\n      deleted\n    }\n    mentions {\n      id\n      name\n      picture\n    }\n    reactions {\n      emoji\n      count\n      userIds\n    }\n    createdAt\n    editedAt\n    deleted\n    deletedBy\n    clientId\n  }\n": types.ChatMessageFieldsFragmentDoc,
    "\n  query ChatRooms($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      rooms {\n        ...ChatRoomFields\n      }\n      roomsCursor\n      presence {\n        userId\n        state\n        version\n      }\n    }\n  }\n": types.ChatRoomsDocument,
    "\n  query RoomMessages($roomId: ID!, $last: Int, $before: String, $first: Int, $after: String, $around: ID) {\n    room(id: $roomId) {\n      ...ChatRoomFields\n      messages(last: $last, before: $before, first: $first, after: $after, around: $around) {\n        edges {\n          cursor\n          node {\n            ...ChatMessageFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n": types.RoomMessagesDocument,
    "\n  query RoomMembers($roomId: ID!, $first: Int, $after: String) {\n    room(id: $roomId) {\n      id\n      members(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            user {\n              id\n              name\n              picture\n            }\n            courseRoles\n            role\n            muted\n            lastReadSeq\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n": types.RoomMembersDocument,
    "\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      ...ChatMessageFields\n    }\n  }\n": types.SendMessageDocument,
    "\n  mutation EditMessage($id: ID!, $body: String!, $language: String) {\n    editMessage(id: $id, body: $body, language: $language) {\n      ...ChatMessageFields\n    }\n  }\n": types.EditMessageDocument,
    "\n  mutation DeleteMessage($id: ID!) {\n    deleteMessage(id: $id) {\n      ...ChatMessageFields\n    }\n  }\n": types.DeleteMessageDocument,
    "\n  mutation SetReaction($messageId: ID!, $emoji: String!, $on: Boolean!) {\n    setReaction(messageId: $messageId, emoji: $emoji, on: $on) {\n      ...ChatMessageFields\n    }\n  }\n": types.SetReactionDocument,
    "\n  mutation MarkRoomRead($roomId: ID!, $seq: String!) {\n    markRoomRead(roomId: $roomId, seq: $seq)\n  }\n": types.MarkRoomReadDocument,
    "\n  mutation SetTyping($roomId: ID!, $typing: Boolean!) {\n    setTyping(roomId: $roomId, typing: $typing)\n  }\n": types.SetTypingDocument,
    "\n  mutation OpenDirectRoom($courseId: ID!, $userId: ID!) {\n    openDirectRoom(courseId: $courseId, userId: $userId) {\n      ...ChatRoomFields\n    }\n  }\n": types.OpenDirectRoomDocument,
    "\n  mutation CreateGroupRoom($courseId: ID!, $name: String!, $topic: String, $memberIds: [ID!]) {\n    createGroupRoom(courseId: $courseId, name: $name, topic: $topic, memberIds: $memberIds) {\n      ...ChatRoomFields\n    }\n  }\n": types.CreateGroupRoomDocument,
    "\n  mutation SetRoomMemberMuted($roomId: ID!, $userId: ID!, $muted: Boolean!) {\n    setRoomMemberMuted(roomId: $roomId, userId: $userId, muted: $muted)\n  }\n": types.SetRoomMemberMutedDocument,
    "\n  query SearchMessages($courseId: ID!, $query: String!, $first: Int, $after: String) {\n    searchMessages(courseId: $courseId, query: $query, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          roomId\n          roomName\n          roomKind\n          snippet\n          message {\n            ...ChatMessageFields\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": types.SearchMessagesDocument,
    "\n  subscription RoomEvents($roomId: ID!, $after: String) {\n    roomEvents(roomId: $roomId, after: $after) {\n      cursor\n      type\n      message {\n        ...ChatMessageFields\n      }\n      userId\n      userName\n      typing\n      readSeq\n      expiresAt\n      tutor {\n        requestId\n        questionId\n        state\n        text\n      }\n    }\n  }\n": types.RoomEventsDocument,
    "\n  subscription ChatActivity($courseId: ID!, $after: String) {\n    chatActivity(courseId: $courseId, after: $after) {\n      type\n      roomId\n      readSeq\n      message {\n        id\n        seq\n        kind\n        author {\n          id\n        }\n        createdAt\n      }\n      announcement {\n        ...AnnouncementFields\n      }\n    }\n  }\n": types.ChatActivityDocument,
    "\n  mutation PinAnnouncement($messageId: ID!) {\n    pinAnnouncement(messageId: $messageId) {\n      ...ChatRoomFields\n    }\n  }\n": types.PinAnnouncementDocument,
    "\n  mutation UnpinAnnouncement($roomId: ID!) {\n    unpinAnnouncement(roomId: $roomId) {\n      ...ChatRoomFields\n    }\n  }\n": types.UnpinAnnouncementDocument,
    "\n  subscription Presence($courseId: ID!, $tabId: String, $section: String) {\n    presence(courseId: $courseId, tabId: $tabId, section: $section) {\n      userId\n      state\n      version\n    }\n  }\n": types.PresenceDocument,
    "\n  mutation SetPresence($courseId: ID!, $tabId: String!, $state: PresenceState!, $section: String) {\n    setPresence(courseId: $courseId, tabId: $tabId, state: $state, section: $section)\n  }\n": types.SetPresenceDocument,
    "\n  mutation UpdateRoom($id: ID!, $name: String, $topic: String, $archived: Boolean) {\n    updateRoom(id: $id, name: $name, topic: $topic, archived: $archived) {\n      ...ChatRoomFields\n    }\n  }\n": types.UpdateRoomDocument,
    "\n  mutation AddRoomMembers($roomId: ID!, $userIds: [ID!]!) {\n    addRoomMembers(roomId: $roomId, userIds: $userIds) {\n      ...ChatRoomFields\n    }\n  }\n": types.AddRoomMembersDocument,
    "\n  mutation RemoveRoomMember($roomId: ID!, $userId: ID!) {\n    removeRoomMember(roomId: $roomId, userId: $userId)\n  }\n": types.RemoveRoomMemberDocument,
    "\n  query CollabDocument($id: ID!) {\n    collabDocument(id: $id) {\n      id\n      sessionId\n      ownerId\n      ownerName\n      state\n      cursor\n      textLength\n      editedAt\n      language\n      locked\n      viewerCanEdit\n      viewerCanManage\n    }\n  }\n": types.CollabDocumentDocument,
    "\n  mutation ApplyCollabUpdate($documentId: ID!, $update: String!, $clientTag: String) {\n    applyCollabUpdate(documentId: $documentId, update: $update, clientTag: $clientTag) {\n      stored\n      cursor\n    }\n  }\n": types.ApplyCollabUpdateDocument,
    "\n  mutation SendCollabAwareness($documentId: ID!, $update: String!) {\n    sendCollabAwareness(documentId: $documentId, update: $update)\n  }\n": types.SendCollabAwarenessDocument,
    "\n  subscription CollabDocumentEvents($documentId: ID!, $after: String) {\n    collabDocumentEvents(documentId: $documentId, after: $after) {\n      __typename\n      ... on CollabUpdateEvent {\n        cursor\n        update\n        userId\n        kind\n        clientTag\n      }\n      ... on CollabAwarenessEvent {\n        userId\n        name\n        color\n        update\n      }\n    }\n  }\n": types.CollabDocumentEventsDocument,
    "\n  mutation ResetCollabDocument($documentId: ID!) {\n    resetCollabDocument(documentId: $documentId) {\n      stored\n      cursor\n    }\n  }\n": types.ResetCollabDocumentDocument,
    "\n  fragment CollabVersionFields on CollabVersion {\n    id\n    documentId\n    name\n    createdAt\n    createdByName\n  }\n": types.CollabVersionFieldsFragmentDoc,
    "\n  query CollabVersions($documentId: ID!) {\n    collabVersions(documentId: $documentId) {\n      ...CollabVersionFields\n    }\n  }\n": types.CollabVersionsDocument,
    "\n  mutation SaveCollabVersion($documentId: ID!, $name: String!) {\n    saveCollabVersion(documentId: $documentId, name: $name) {\n      ...CollabVersionFields\n    }\n  }\n": types.SaveCollabVersionDocument,
    "\n  mutation RestoreCollabVersion($versionId: ID!) {\n    restoreCollabVersion(versionId: $versionId) {\n      stored\n      cursor\n    }\n  }\n": types.RestoreCollabVersionDocument,
    "\n  fragment CollabSessionFields on CollabSession {\n    id\n    courseId\n    title\n    description\n    language\n    startingCode\n    visibility\n    accessCode\n    maxCollaborators\n    collaboratorCount\n    ownerId\n    ownerName\n    activity {\n      id\n      title\n    }\n    mode\n    locked\n    forkedAt\n    createdAt\n    updatedAt\n    viewerCanManage\n    viewerJoined\n    sharedDocumentId\n    viewerDocumentId\n    cursor\n  }\n": types.CollabSessionFieldsFragmentDoc,
    "\n  fragment CollabCopyFields on CollabCopy {\n    userId\n    userName\n    started\n    document {\n      id\n      ownerId\n      textLength\n      editedAt\n      startedAt\n    }\n  }\n": types.CollabCopyFieldsFragmentDoc,
    "\n  query CollabSessions($courseId: ID!) {\n    collabSessions(courseId: $courseId) {\n      cursor\n      sessions {\n        ...CollabSessionFields\n      }\n    }\n  }\n": types.CollabSessionsDocument,
    "\n  subscription CourseCollabSessionEvents($courseId: ID!, $after: String) {\n    courseCollabSessionEvents(courseId: $courseId, after: $after) {\n      cursor\n      type\n      sessionId\n      session {\n        ...CollabSessionFields\n      }\n    }\n  }\n": types.CourseCollabSessionEventsDocument,
    "\n  query CollabSession($id: ID!) {\n    collabSession(id: $id) {\n      ...CollabSessionFields\n    }\n  }\n": types.CollabSessionDocument,
    "\n  query CollabSessionForActivity($activityId: ID!) {\n    collabSessionForActivity(activityId: $activityId) {\n      ...CollabSessionFields\n    }\n  }\n": types.CollabSessionForActivityDocument,
    "\n  query CollabActivities($courseId: ID!) {\n    collabActivities(courseId: $courseId) {\n      id\n      title\n    }\n  }\n": types.CollabActivitiesDocument,
    "\n  mutation CreateCollabSession($input: CreateCollabSessionInput!) {\n    createCollabSession(input: $input) {\n      ...CollabSessionFields\n    }\n  }\n": types.CreateCollabSessionDocument,
    "\n  mutation UpdateCollabSession($id: ID!, $input: UpdateCollabSessionInput!) {\n    updateCollabSession(id: $id, input: $input) {\n      ...CollabSessionFields\n    }\n  }\n": types.UpdateCollabSessionDocument,
    "\n  mutation DeleteCollabSession($id: ID!) {\n    deleteCollabSession(id: $id)\n  }\n": types.DeleteCollabSessionDocument,
    "\n  mutation JoinCollabSession($id: ID!, $accessCode: String) {\n    joinCollabSession(id: $id, accessCode: $accessCode) {\n      id\n      sessionId\n      ownerId\n    }\n  }\n": types.JoinCollabSessionDocument,
    "\n  mutation SetCollabSessionLocked($id: ID!, $locked: Boolean!) {\n    setCollabSessionLocked(id: $id, locked: $locked) {\n      ...CollabSessionFields\n    }\n  }\n": types.SetCollabSessionLockedDocument,
    "\n  mutation ForkCollabSession($id: ID!) {\n    forkCollabSession(id: $id) {\n      ...CollabSessionFields\n    }\n  }\n": types.ForkCollabSessionDocument,
    "\n  query CollabGrid($sessionId: ID!) {\n    collabGrid(sessionId: $sessionId) {\n      cursor\n      session {\n        ...CollabSessionFields\n      }\n      copies {\n        ...CollabCopyFields\n      }\n    }\n  }\n": types.CollabGridDocument,
    "\n  subscription CollabSessionEvents($sessionId: ID!, $after: String) {\n    collabSessionEvents(sessionId: $sessionId, after: $after) {\n      cursor\n      type\n      sessionId\n      session {\n        ...CollabSessionFields\n      }\n      copy {\n        ...CollabCopyFields\n      }\n    }\n  }\n": types.CollabSessionEventsDocument,
    "\n  query CollabReplay($documentId: ID!, $after: String, $first: Int) {\n    collabReplay(documentId: $documentId, after: $after, first: $first) {\n      documentId\n      base\n      hasMore\n      steps {\n        cursor\n        at\n        userId\n        userName\n        kind\n        update\n      }\n    }\n  }\n": types.CollabReplayDocument,
    "\n  query CollabReplayDocument($id: ID!) {\n    collabDocument(id: $id) {\n      id\n      sessionId\n      ownerId\n      ownerName\n      language\n      textLength\n    }\n  }\n": types.CollabReplayDocumentDocument,
    "\n  query Course($id: ID!) {\n    course(id: $id) {\n      id\n      title\n      label\n      myRoles\n    }\n  }\n": types.CourseDocument,
    "\n  query CourseMembers($id: ID!, $first: Int, $after: String) {\n    course(id: $id) {\n      id\n      members(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            user {\n              id\n              name\n            }\n            roles\n            launched\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n": types.CourseMembersDocument,
    "\n  fragment RosterSyncFields on RosterSync {\n    status\n    fetched\n    pages\n    startedAt\n    finishedAt\n    error\n  }\n": types.RosterSyncFieldsFragmentDoc,
    "\n  query RosterSync($id: ID!) {\n    course(id: $id) {\n      id\n      rosterSync {\n        ...RosterSyncFields\n      }\n    }\n  }\n": types.RosterSyncDocument,
    "\n  mutation SyncRoster($courseId: ID!) {\n    syncRoster(courseId: $courseId) {\n      ...RosterSyncFields\n    }\n  }\n": types.SyncRosterDocument,
    "\n  query Courses($first: Int, $after: String) {\n    courses(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          title\n          label\n          myRoles\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": types.CoursesDocument,
    "\n  query DeepLinkRequest($id: ID!) {\n    deepLinkRequest(id: $id) {\n      id\n      acceptMultiple\n      title\n      expiresAt\n      course {\n        id\n        title\n        label\n        myRoles\n      }\n    }\n  }\n": types.DeepLinkRequestDocument,
    "\n  mutation SubmitDeepLink($requestId: ID!, $items: [DeepLinkItemInput!]!) {\n    submitDeepLink(requestId: $requestId, items: $items) {\n      returnUrl\n      jwt\n    }\n  }\n": types.SubmitDeepLinkDocument,
    "\n  fragment DashboardLiveClassFields on LiveClass {\n    id\n    title\n    state\n    startsAt\n    endsAt\n    startedAt\n    endedAt\n    cursor\n    participants {\n      userId\n      userName\n      role\n      present\n    }\n    hands {\n      userId\n      userName\n      raisedAt\n    }\n    questions {\n      ...LiveQuestionFields\n    }\n    polls {\n      ...LivePollFields\n    }\n    confusion {\n      ...LiveConfusionFields\n    }\n  }\n": types.DashboardLiveClassFieldsFragmentDoc,
    "\n  fragment LiveDashboardFields on LiveDashboard {\n    courseId\n    at\n    activeStudents\n    bySection {\n      section\n      count\n    }\n    students {\n      userId\n      userName\n      section\n      state\n    }\n    messagesPerMinute {\n      at\n      count\n    }\n    openQuestions\n    hands\n    confusionTrend {\n      at\n      count\n    }\n    present\n    admitted\n    tutor {\n      tokensToday\n      dailyBudget\n      monthTokens\n      monthlyBudget\n      questionsToday\n    }\n    struggles {\n      topic\n      count\n      source\n    }\n    answerWait {\n      answered\n      waiting\n      medianSeconds\n      p90Seconds\n      longestWaitingSeconds\n    }\n    liveClass {\n      ...DashboardLiveClassFields\n    }\n  }\n": types.LiveDashboardFieldsFragmentDoc,
    "\n  fragment DashboardClassEventFields on LiveClassEvent {\n    cursor\n    type\n    at\n    classId\n    state\n    startedAt\n    endedAt\n    userId\n    count\n    participant {\n      userId\n      userName\n      role\n      present\n    }\n    hand {\n      userId\n      userName\n      raisedAt\n    }\n    question {\n      ...LiveQuestionFields\n    }\n    poll {\n      ...LivePollFields\n    }\n    confusion {\n      ...LiveConfusionFields\n    }\n  }\n": types.DashboardClassEventFieldsFragmentDoc,
    "\n  query CourseLiveDashboard($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      liveDashboard {\n        ...LiveDashboardFields\n      }\n    }\n  }\n": types.CourseLiveDashboardDocument,
    "\n  subscription LiveDashboardUpdates($courseId: ID!) {\n    liveDashboard(courseId: $courseId) {\n      ...LiveDashboardFields\n    }\n  }\n": types.LiveDashboardUpdatesDocument,
    "\n  subscription DashboardClassEvents($classId: ID!, $after: String) {\n    liveClassEvents(classId: $classId, after: $after) {\n      ...DashboardClassEventFields\n    }\n  }\n": types.DashboardClassEventsDocument,
    "\n  fragment LiveClassSummaryFields on LiveClass {\n    id\n    courseId\n    title\n    description\n    startsAt\n    endsAt\n    state\n    startedAt\n    endedAt\n    maxParticipants\n    participantCount\n    provider\n    recordingUrl\n    canHost\n    joined\n  }\n": types.LiveClassSummaryFieldsFragmentDoc,
    "\n  fragment LiveClassEditFields on LiveClass {\n    id\n    title\n    description\n    startsAt\n    endsAt\n    state\n    maxParticipants\n    provider\n    meetingUrl\n    policy\n    thresholdPercent\n    anonymousQuestions\n    gradeLink {\n      id\n      title\n    }\n  }\n": types.LiveClassEditFieldsFragmentDoc,
    "\n  fragment LiveQuestionFields on LiveQuestion {\n    id\n    classId\n    body\n    authorId\n    authorName\n    anonymous\n    status\n    votes\n    createdAt\n    answeredAt\n  }\n": types.LiveQuestionFieldsFragmentDoc,
    "\n  fragment LivePollFields on LivePoll {\n    id\n    classId\n    question\n    options {\n      label\n      count\n    }\n    status\n    total\n    createdAt\n    closedAt\n  }\n": types.LivePollFieldsFragmentDoc,
    "\n  fragment LiveConfusionFields on LiveConfusion {\n    count\n    present\n    windowSeconds\n    alertPercent\n    alert\n    topics {\n      topic\n      count\n    }\n    signals {\n      at\n      topic\n    }\n    at\n  }\n": types.LiveConfusionFieldsFragmentDoc,
    "\n  fragment LiveAttendanceFields on LiveAttendance {\n    userId\n    userName\n    role\n    present\n    minutesPresent\n    measuredMinutes\n    correctedMinutes\n    scheduledMinutes\n    joins\n    score\n    passback\n    passbackError\n    passbackAt\n  }\n": types.LiveAttendanceFieldsFragmentDoc,
    "\n  fragment LiveClassPageFields on LiveClass {\n    ...LiveClassSummaryFields\n    sessionId\n    roomId\n    meetingUrl\n    recordings {\n      id\n      url\n      startedAt\n      endedAt\n      minutes\n    }\n    policy\n    thresholdPercent\n    anonymousQuestions\n    confusionWindowSeconds\n    confusionAlertPercent\n    gradeLink {\n      id\n      title\n    }\n    participants {\n      userId\n      userName\n      role\n      present\n    }\n    hands {\n      userId\n      userName\n      raisedAt\n    }\n    questions {\n      ...LiveQuestionFields\n    }\n    polls {\n      ...LivePollFields\n    }\n    confusion {\n      ...LiveConfusionFields\n    }\n    myVotes\n    myPollAnswers {\n      pollId\n      option\n    }\n    myConfusedAt\n    attendance {\n      ...LiveAttendanceFields\n    }\n    myAttendance {\n      ...LiveAttendanceFields\n    }\n    cursor\n  }\n": types.LiveClassPageFieldsFragmentDoc,
    "\n  query CourseLiveClasses($id: ID!) {\n    course(id: $id) {\n      id\n      liveClasses {\n        cursor\n        classes {\n          ...LiveClassSummaryFields\n        }\n      }\n    }\n  }\n": types.CourseLiveClassesDocument,
    "\n  subscription CourseLiveClassEvents($courseId: ID!, $after: String) {\n    courseLiveClassEvents(courseId: $courseId, after: $after) {\n      cursor\n      type\n      classId\n      liveClass {\n        ...LiveClassSummaryFields\n      }\n    }\n  }\n": types.CourseLiveClassEventsDocument,
    "\n  query LivePlanOptions($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      liveMeetingProviders\n      scheduleSettings {\n        timeZone\n      }\n    }\n    liveGradeLinks(courseId: $courseId) {\n      id\n      title\n    }\n  }\n": types.LivePlanOptionsDocument,
    "\n  query LiveClassEdit($id: ID!) {\n    liveClass(id: $id) {\n      ...LiveClassEditFields\n    }\n  }\n": types.LiveClassEditDocument,
    "\n  query LiveClass($id: ID!) {\n    liveClass(id: $id) {\n      ...LiveClassPageFields\n    }\n  }\n": types.LiveClassDocument,
    "\n  query LiveChatRoom($id: ID!) {\n    room(id: $id) {\n      ...ChatRoomFields\n    }\n  }\n": types.LiveChatRoomDocument,
    "\n  query LiveAttendanceCsv($id: ID!) {\n    liveClass(id: $id) {\n      id\n      attendanceCsv\n    }\n  }\n": types.LiveAttendanceCsvDocument,
    "\n  subscription LiveClassEvents($classId: ID!, $after: String) {\n    liveClassEvents(classId: $classId, after: $after) {\n      cursor\n      type\n      at\n      classId\n      state\n      startedAt\n      endedAt\n      recordingUrl\n      participant {\n        userId\n        userName\n        role\n        present\n      }\n      hand {\n        userId\n        userName\n        raisedAt\n      }\n      userId\n      count\n      question {\n        ...LiveQuestionFields\n      }\n      confusion {\n        ...LiveConfusionFields\n      }\n      poll {\n        ...LivePollFields\n      }\n      attendance {\n        ...LiveAttendanceFields\n      }\n    }\n  }\n": types.LiveClassEventsDocument,
    "\n  mutation CreateLiveClass($courseId: ID!, $input: LiveClassInput!) {\n    createLiveClass(courseId: $courseId, input: $input) {\n      ...LiveClassSummaryFields\n    }\n  }\n": types.CreateLiveClassDocument,
    "\n  mutation UpdateLiveClass($id: ID!, $input: LiveClassInput!) {\n    updateLiveClass(id: $id, input: $input) {\n      ...LiveClassSummaryFields\n      ...LiveClassEditFields\n    }\n  }\n": types.UpdateLiveClassDocument,
    "\n  mutation DeleteLiveClass($id: ID!) {\n    deleteLiveClass(id: $id)\n  }\n": types.DeleteLiveClassDocument,
    "\n  mutation StartLiveClass($id: ID!) {\n    startLiveClass(id: $id) {\n      ...LiveClassPageFields\n    }\n  }\n": types.StartLiveClassDocument,
    "\n  mutation EndLiveClass($id: ID!) {\n    endLiveClass(id: $id) {\n      ...LiveClassPageFields\n    }\n  }\n": types.EndLiveClassDocument,
    "\n  mutation SetLiveRecordingUrl($id: ID!, $url: String) {\n    setLiveRecordingUrl(id: $id, url: $url) {\n      id\n      recordingUrl\n    }\n  }\n": types.SetLiveRecordingUrlDocument,
    "\n  mutation JoinLiveClass($id: ID!) {\n    joinLiveClass(id: $id) {\n      meetingUrl\n      liveClass {\n        ...LiveClassPageFields\n      }\n    }\n  }\n": types.JoinLiveClassDocument,
    "\n  mutation LiveHeartbeat($id: ID!) {\n    liveHeartbeat(id: $id)\n  }\n": types.LiveHeartbeatDocument,
    "\n  mutation RaiseHand($classId: ID!) {\n    raiseHand(classId: $classId) {\n      userId\n      userName\n      raisedAt\n    }\n  }\n": types.RaiseHandDocument,
    "\n  mutation LowerHand($classId: ID!, $userId: ID) {\n    lowerHand(classId: $classId, userId: $userId)\n  }\n": types.LowerHandDocument,
    "\n  mutation ClearHands($classId: ID!) {\n    clearHands(classId: $classId)\n  }\n": types.ClearHandsDocument,
    "\n  mutation AskLiveQuestion($classId: ID!, $body: String!, $anonymous: Boolean) {\n    askLiveQuestion(classId: $classId, body: $body, anonymous: $anonymous) {\n      ...LiveQuestionFields\n    }\n  }\n": types.AskLiveQuestionDocument,
    "\n  mutation VoteLiveQuestion($questionId: ID!) {\n    voteLiveQuestion(questionId: $questionId) {\n      ...LiveQuestionFields\n    }\n  }\n": types.VoteLiveQuestionDocument,
    "\n  mutation SetLiveQuestionStatus($questionId: ID!, $status: LiveQuestionStatus!) {\n    setLiveQuestionStatus(questionId: $questionId, status: $status) {\n      ...LiveQuestionFields\n    }\n  }\n": types.SetLiveQuestionStatusDocument,
    "\n  mutation SignalConfusion($classId: ID!, $topic: String) {\n    signalConfusion(classId: $classId, topic: $topic)\n  }\n": types.SignalConfusionDocument,
    "\n  mutation OpenLivePoll($classId: ID!, $question: String!, $options: [String!]!) {\n    openLivePoll(classId: $classId, question: $question, options: $options) {\n      ...LivePollFields\n    }\n  }\n": types.OpenLivePollDocument,
    "\n  mutation AnswerLivePoll($pollId: ID!, $option: Int!) {\n    answerLivePoll(pollId: $pollId, option: $option) {\n      ...LivePollFields\n    }\n  }\n": types.AnswerLivePollDocument,
    "\n  mutation CloseLivePoll($pollId: ID!) {\n    closeLivePoll(pollId: $pollId) {\n      ...LivePollFields\n    }\n  }\n": types.CloseLivePollDocument,
    "\n  mutation CorrectLiveAttendance($classId: ID!, $userId: ID!, $minutes: Int) {\n    correctLiveAttendance(classId: $classId, userId: $userId, minutes: $minutes) {\n      ...LiveAttendanceFields\n    }\n  }\n": types.CorrectLiveAttendanceDocument,
    "\n  mutation RetryLivePassback($classId: ID!) {\n    retryLivePassback(classId: $classId)\n  }\n": types.RetryLivePassbackDocument,
    "\n  fragment NotificationFields on Notification {\n    id\n    type\n    courseId\n    courseTitle\n    actorName\n    roomId\n    messageId\n    excerpt\n    data\n    read\n    createdAt\n  }\n": types.NotificationFieldsFragmentDoc,
    "\n  query Notifications($first: Int, $after: String) {\n    unreadNotificationCount\n    notifications(first: $first, after: $after) {\n      cursor\n      edges {\n        cursor\n        node {\n          ...NotificationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": types.NotificationsDocument,
    "\n  subscription NotificationEvents($after: String) {\n    notificationEvents(after: $after) {\n      cursor\n      type\n      notification {\n        ...NotificationFields\n      }\n      readIds\n      allRead\n      unreadCount\n    }\n  }\n": types.NotificationEventsDocument,
    "\n  mutation MarkNotificationRead($id: ID!) {\n    markNotificationRead(id: $id)\n  }\n": types.MarkNotificationReadDocument,
    "\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n": types.MarkNotificationsReadDocument,
    "\n  query NotificationPreferences {\n    notificationPreferences {\n      type\n      label\n      group\n      muted\n    }\n  }\n": types.NotificationPreferencesDocument,
    "\n  mutation SetNotificationMuted($type: String!, $muted: Boolean!) {\n    setNotificationMuted(type: $type, muted: $muted) {\n      type\n      label\n      group\n      muted\n    }\n  }\n": types.SetNotificationMutedDocument,
    "\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n": types.MarkAllNotificationsReadDocument,
    "\n  fragment OfficeHourWindowFields on OfficeHourWindow {\n    id\n    hostId\n    hostName\n    title\n    weekday\n    startTime\n    endTime\n    timeZone\n    slotMinutes\n    horizonDays\n    minNoticeMinutes\n    cancelNoticeMinutes\n    location\n    meetingUrl\n    status\n  }\n": types.OfficeHourWindowFieldsFragmentDoc,
    "\n  fragment OfficeHourBookingFields on OfficeHourBooking {\n    id\n    windowId\n    windowTitle\n    sessionId\n    hostId\n    hostName\n    studentId\n    studentName\n    startsAt\n    endsAt\n    timeZone\n    question\n    location\n    meetingUrl\n    status\n  }\n": types.OfficeHourBookingFieldsFragmentDoc,
    "\n  query OfficeHoursOverview($courseId: ID!, $from: DateTime) {\n    officeHours(courseId: $courseId) {\n      cursor\n      windows {\n        ...OfficeHourWindowFields\n      }\n    }\n    officeHourBookings(courseId: $courseId, from: $from) {\n      cursor\n      bookings {\n        ...OfficeHourBookingFields\n      }\n    }\n  }\n": types.OfficeHoursOverviewDocument,
    "\n  query OfficeHourDays($windowId: ID!, $from: String!, $to: String!) {\n    officeHourDays(windowId: $windowId, from: $from, to: $to) {\n      windowId\n      day\n      waitlistSize\n      waitlistPosition\n      waitlistStatus\n      slots {\n        startsAt\n        endsAt\n        state\n        bookingId\n      }\n    }\n  }\n": types.OfficeHourDaysDocument,
    "\n  mutation PublishOfficeHours($input: PublishOfficeHoursInput!) {\n    publishOfficeHours(input: $input) {\n      ...OfficeHourWindowFields\n    }\n  }\n": types.PublishOfficeHoursDocument,
    "\n  mutation WithdrawOfficeHours($id: ID!) {\n    withdrawOfficeHours(id: $id) {\n      ...OfficeHourWindowFields\n    }\n  }\n": types.WithdrawOfficeHoursDocument,
    "\n  mutation BookOfficeHour($windowId: ID!, $startsAt: DateTime!, $question: String, $orNextFree: Boolean) {\n    bookOfficeHour(windowId: $windowId, startsAt: $startsAt, question: $question, orNextFree: $orNextFree) {\n      ...OfficeHourBookingFields\n    }\n  }\n": types.BookOfficeHourDocument,
    "\n  mutation CancelOfficeHourBooking($id: ID!) {\n    cancelOfficeHourBooking(id: $id) {\n      ...OfficeHourBookingFields\n    }\n  }\n": types.CancelOfficeHourBookingDocument,
    "\n  mutation JoinOfficeHourWaitlist($windowId: ID!, $day: String!) {\n    joinOfficeHourWaitlist(windowId: $windowId, day: $day) {\n      id\n      day\n      status\n      position\n    }\n  }\n": types.JoinOfficeHourWaitlistDocument,
    "\n  mutation LeaveOfficeHourWaitlist($windowId: ID!, $day: String!) {\n    leaveOfficeHourWaitlist(windowId: $windowId, day: $day)\n  }\n": types.LeaveOfficeHourWaitlistDocument,
    "\n  subscription OfficeHourEvents($courseId: ID!, $after: String) {\n    officeHourEvents(courseId: $courseId, after: $after) {\n      cursor\n      type\n      windowId\n      startsAt\n      bookingId\n      mine\n    }\n  }\n": types.OfficeHourEventsDocument,
    "\n  query SessionReminders($sessionId: ID!) {\n    sessionReminders(sessionId: $sessionId) {\n      userId\n      userName\n      offsetMinutes\n      dueAt\n      state\n      sentAt\n      error\n    }\n  }\n": types.SessionRemindersDocument,
    "\n  fragment ScheduleSessionFields on ScheduleSession {\n    id\n    courseId\n    kind\n    seriesId\n    recurrenceId\n    title\n    description\n    startsAt\n    endsAt\n    timeZone\n    hostId\n    hostName\n    audience\n    studentId\n    studentName\n    roomId\n    roomName\n    location\n    meetingUrl\n    status\n    sequence\n    canEdit\n  }\n": types.ScheduleSessionFieldsFragmentDoc,
    "\n  query CourseSchedule($id: ID!, $from: DateTime!, $to: DateTime!) {\n    course(id: $id) {\n      id\n      schedule(from: $from, to: $to) {\n        cursor\n        sessions {\n          ...ScheduleSessionFields\n        }\n      }\n      scheduleSettings {\n        timeZone\n        reminderOffsets\n        isSet\n      }\n    }\n  }\n": types.CourseScheduleDocument,
    "\n  query ScheduleSessionDetails($id: ID!) {\n    scheduleSession(id: $id) {\n      ...ScheduleSessionFields\n      attendance {\n        userId\n        userName\n        attendance\n        completed\n      }\n    }\n  }\n": types.ScheduleSessionDetailsDocument,
    "\n  subscription ScheduleEvents($courseId: ID!, $after: String) {\n    scheduleEvents(courseId: $courseId, after: $after) {\n      cursor\n      type\n      sessionId\n      session {\n        ...ScheduleSessionFields\n      }\n    }\n  }\n": types.ScheduleEventsDocument,
    "\n  mutation CreateScheduleSession($input: CreateScheduleSessionInput!, $force: Boolean) {\n    createScheduleSession(input: $input, force: $force) {\n      ...ScheduleSessionFields\n    }\n  }\n": types.CreateScheduleSessionDocument,
    "\n  mutation UpdateScheduleSession($id: ID!, $input: UpdateScheduleSessionInput!, $scope: ScheduleEditScope, $force: Boolean) {\n    updateScheduleSession(id: $id, input: $input, scope: $scope, force: $force) {\n      ...ScheduleSessionFields\n    }\n  }\n": types.UpdateScheduleSessionDocument,
    "\n  mutation MoveScheduleSession($id: ID!, $startsAt: DateTime!, $endsAt: DateTime!, $scope: ScheduleEditScope, $force: Boolean) {\n    moveScheduleSession(id: $id, startsAt: $startsAt, endsAt: $endsAt, scope: $scope, force: $force) {\n      ...ScheduleSessionFields\n    }\n  }\n": types.MoveScheduleSessionDocument,
    "\n  mutation CancelScheduleSession($id: ID!, $scope: ScheduleEditScope) {\n    cancelScheduleSession(id: $id, scope: $scope) {\n      ...ScheduleSessionFields\n    }\n  }\n": types.CancelScheduleSessionDocument,
    "\n  mutation MarkAttendance($sessionId: ID!, $userId: ID!, $attendance: AttendanceMark, $completed: Boolean) {\n    markAttendance(sessionId: $sessionId, userId: $userId, attendance: $attendance, completed: $completed) {\n      userId\n      userName\n      attendance\n      completed\n    }\n  }\n": types.MarkAttendanceDocument,
    "\n  mutation UpdateScheduleSettings($courseId: ID!, $timeZone: String, $reminderOffsets: [Int!]) {\n    updateScheduleSettings(courseId: $courseId, timeZone: $timeZone, reminderOffsets: $reminderOffsets) {\n      timeZone\n      reminderOffsets\n      isSet\n    }\n  }\n": types.UpdateScheduleSettingsDocument,
    "\n  query SchedulePeople($id: ID!) {\n    course(id: $id) {\n      id\n      members(first: 100) {\n        edges {\n          node {\n            roles\n            user {\n              id\n              name\n            }\n          }\n        }\n      }\n      rooms {\n        id\n        kind\n        name\n        archived\n      }\n    }\n  }\n": types.SchedulePeopleDocument,
    "\n  mutation RefreshSession {\n    refreshSession {\n      token\n      expiresAt\n    }\n  }\n": types.RefreshSessionDocument,
    "\n  fragment TutorUsageFields on TutorUsage {\n    cursor\n    courseId\n    usedToday\n    dailyLimit\n    remainingToday\n    courseUsedThisMonth\n    courseMonthlyLimit\n    warning\n    tokensPerQuestion\n    questionsLeft\n    percentLeftToday\n    blockedBy\n    resetsAt\n    blockedUntil\n  }\n": types.TutorUsageFieldsFragmentDoc,
    "\n  fragment TutorSettingsFields on TutorSettings {\n    mode\n    brief\n    userDailyTokens\n    courseMonthlyTokens\n    tokensPerQuestion\n    provider\n    model\n  }\n": types.TutorSettingsFieldsFragmentDoc,
    "\n  query TutorHome($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      tutorSettings {\n        ...TutorSettingsFields\n      }\n    }\n  }\n": types.TutorHomeDocument,
    "\n  query TutorUsage($courseId: ID!) {\n    myTutorUsage(courseId: $courseId) {\n      ...TutorUsageFields\n    }\n  }\n": types.TutorUsageDocument,
    "\n  mutation OpenTutorRoom($courseId: ID!) {\n    openTutorRoom(courseId: $courseId) {\n      ...ChatRoomFields\n    }\n  }\n": types.OpenTutorRoomDocument,
    "\n  subscription TutorUsageLive($courseId: ID!, $after: String) {\n    tutorUsage(courseId: $courseId, after: $after) {\n      ...TutorUsageFields\n    }\n  }\n": types.TutorUsageLiveDocument,
    "\n  mutation CancelTutorReply($requestId: ID!) {\n    cancelTutorReply(requestId: $requestId)\n  }\n": types.CancelTutorReplyDocument,
    "\n  mutation RetryTutorReply($requestId: ID!) {\n    retryTutorReply(requestId: $requestId)\n  }\n": types.RetryTutorReplyDocument,
    "\n  query TutorDashboard($courseId: ID!, $days: Int) {\n    course(id: $courseId) {\n      id\n      tutorSettings {\n        ...TutorSettingsFields\n      }\n      tutorUsageReport(days: $days) {\n        cursor\n        byDay {\n          day\n          promptTokens\n          completionTokens\n          costUsd\n          calls\n          refused\n        }\n        byStudent {\n          userId\n          name\n          tutorRoomId\n          promptTokens\n          completionTokens\n          costUsd\n          calls\n          refused\n        }\n        byModel {\n          model\n          promptTokens\n          completionTokens\n          costUsd\n          calls\n        }\n      }\n    }\n  }\n": types.TutorDashboardDocument,
    "\n  subscription TutorReportLive($courseId: ID!, $after: String) {\n    tutorReportEvents(courseId: $courseId, after: $after) {\n      cursor\n      day\n      userId\n      name\n      tutorRoomId\n      model\n      promptTokens\n      completionTokens\n      costUsd\n      calls\n      refused\n    }\n  }\n": types.TutorReportLiveDocument,
    "\n  query TutorStudentRoom($roomId: ID!) {\n    room(id: $roomId) {\n      ...ChatRoomFields\n    }\n  }\n": types.TutorStudentRoomDocument,
    "\n  mutation UpdateTutorSettings($courseId: ID!, $mode: TutorMode, $brief: String, $userDailyTokens: Int, $courseMonthlyTokens: Int) {\n    updateTutorSettings(\n      courseId: $courseId\n      mode: $mode\n      brief: $brief\n      userDailyTokens: $userDailyTokens\n      courseMonthlyTokens: $courseMonthlyTokens\n    ) {\n      ...TutorSettingsFields\n    }\n  }\n": types.UpdateTutorSettingsDocument,
    "\n  query Me {\n    me {\n      kind\n      user {\n        id\n        name\n      }\n      tenant {\n        id\n        name\n      }\n      course {\n        id\n        title\n        label\n      }\n      roles\n      administrator\n    }\n  }\n": types.MeDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ActivityEntryFields on CourseActivityEntry {\n    id\n    type\n    actorId\n    actorName\n    data\n    createdAt\n  }\n"): (typeof documents)["\n  fragment ActivityEntryFields on CourseActivityEntry {\n    id\n    type\n    actorId\n    actorName\n    data\n    createdAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AuditEntryFields on AuditEntry {\n    id\n    entity\n    entityId\n    subjectName\n    action\n    actorId\n    actorName\n    apiKeyId\n    before\n    after\n    createdAt\n  }\n"): (typeof documents)["\n  fragment AuditEntryFields on AuditEntry {\n    id\n    entity\n    entityId\n    subjectName\n    action\n    actorId\n    actorName\n    apiKeyId\n    before\n    after\n    createdAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CourseActivity($courseId: ID!, $first: Int, $after: String) {\n    courseActivityEntries(courseId: $courseId, first: $first, after: $after) {\n      cursor\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...ActivityEntryFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CourseActivity($courseId: ID!, $first: Int, $after: String) {\n    courseActivityEntries(courseId: $courseId, first: $first, after: $after) {\n      cursor\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...ActivityEntryFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CourseActivityFeed($courseId: ID!, $after: String) {\n    courseActivityFeed(courseId: $courseId, after: $after) {\n      cursor\n      entry {\n        ...ActivityEntryFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription CourseActivityFeed($courseId: ID!, $after: String) {\n    courseActivityFeed(courseId: $courseId, after: $after) {\n      cursor\n      entry {\n        ...ActivityEntryFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditLog($courseId: ID!, $entity: String, $first: Int, $after: String) {\n    auditLog(courseId: $courseId, entity: $entity, first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AuditEntryFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuditLog($courseId: ID!, $entity: String, $first: Int, $after: String) {\n    auditLog(courseId: $courseId, entity: $entity, first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AuditEntryFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditLogCsv($courseId: ID!, $entity: String) {\n    auditLogCsv(courseId: $courseId, entity: $entity)\n  }\n"): (typeof documents)["\n  query AuditLogCsv($courseId: ID!, $entity: String) {\n    auditLogCsv(courseId: $courseId, entity: $entity)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    prefix\n    scopes\n    tenantWide\n    courseIds\n    createdBy {\n      id\n      name\n    }\n    createdAt\n    lastUsedAt\n    expiresAt\n    revokedAt\n  }\n"): (typeof documents)["\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    prefix\n    scopes\n    tenantWide\n    courseIds\n    createdBy {\n      id\n      name\n    }\n    createdAt\n    lastUsedAt\n    expiresAt\n    revokedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiKeys {\n    apiKeys {\n      ...ApiKeyFields\n    }\n  }\n"): (typeof documents)["\n  query ApiKeys {\n    apiKeys {\n      ...ApiKeyFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey {\n        ...ApiKeyFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey {\n        ...ApiKeyFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      ...ApiKeyFields\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      ...ApiKeyFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyCalendarFeed {\n    myCalendarFeed {\n      url\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  query MyCalendarFeed {\n    myCalendarFeed {\n      url\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CourseCalendarFeed($courseId: ID!) {\n    courseCalendarFeed(courseId: $courseId) {\n      url\n    }\n  }\n"): (typeof documents)["\n  query CourseCalendarFeed($courseId: ID!) {\n    courseCalendarFeed(courseId: $courseId) {\n      url\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RotateCalendarFeed {\n    rotateCalendarFeed {\n      url\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  mutation RotateCalendarFeed {\n    rotateCalendarFeed {\n      url\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeCalendarFeed {\n    revokeCalendarFeed\n  }\n"): (typeof documents)["\n  mutation RevokeCalendarFeed {\n    revokeCalendarFeed\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RotateCourseCalendarFeed($courseId: ID!) {\n    rotateCourseCalendarFeed(courseId: $courseId) {\n      url\n    }\n  }\n"): (typeof documents)["\n  mutation RotateCourseCalendarFeed($courseId: ID!) {\n    rotateCourseCalendarFeed(courseId: $courseId) {\n      url\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SessionCalendarFile($sessionId: ID!) {\n    sessionCalendarFile(sessionId: $sessionId) {\n      filename\n      content\n    }\n  }\n"): (typeof documents)["\n  query SessionCalendarFile($sessionId: ID!) {\n    sessionCalendarFile(sessionId: $sessionId) {\n      filename\n      content\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ChatRoomFields on Room {\n    id\n    courseId\n    kind\n    name\n    topic\n    peer {\n      id\n      name\n      picture\n    }\n    archived\n    lastMessageAt\n    lastSeq\n    lastReadSeq\n    unreadCount\n    muted\n    canPost\n    postRefusal\n    canModerate\n    canAnnounce\n    memberCount\n    announcement {\n      ...AnnouncementFields\n    }\n  }\n"): (typeof documents)["\n  fragment ChatRoomFields on Room {\n    id\n    courseId\n    kind\n    name\n    topic\n    peer {\n      id\n      name\n      picture\n    }\n    archived\n    lastMessageAt\n    lastSeq\n    lastReadSeq\n    unreadCount\n    muted\n    canPost\n    postRefusal\n    canModerate\n    canAnnounce\n    memberCount\n    announcement {\n      ...AnnouncementFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AnnouncementFields on Announcement {\n    pinnedAt\n    pinnedBy {\n      id\n      name\n    }\n    message {\n      id\n      seq\n      kind\n      body\n      language\n      author {\n        id\n        name\n      }\n      mentions {\n        id\n        name\n      }\n      createdAt\n      editedAt\n    }\n  }\n"): (typeof documents)["\n  fragment AnnouncementFields on Announcement {\n    pinnedAt\n    pinnedBy {\n      id\n      name\n    }\n    message {\n      id\n      seq\n      kind\n      body\n      language\n      author {\n        id\n        name\n      }\n      mentions {\n        id\n        name\n      }\n      createdAt\n      editedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ChatMessageFields on Message {\n    id\n    roomId\n    seq\n    kind\n    author {\n      id\n      name\n      picture\n      bot\n    }\n    body\n    language\n    replyTo {\n      id\n      authorName\n      excerpt\n      deleted\n    }\n    mentions {\n      id\n      name\n      picture\n    }\n    reactions {\n      emoji\n      count\n      userIds\n    }\n    createdAt\n    editedAt\n    deleted\n    deletedBy\n    clientId\n  }\n"): (typeof documents)["\n  fragment ChatMessageFields on Message {\n    id\n    roomId\n    seq\n    kind\n    author {\n      id\n      name\n      picture\n      bot\n    }\n    body\n    language\n    replyTo {\n      id\n      authorName\n      excerpt\n      deleted\n    }\n    mentions {\n      id\n      name\n      picture\n    }\n    reactions {\n      emoji\n      count\n      userIds\n    }\n    createdAt\n    editedAt\n    deleted\n    deletedBy\n    clientId\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ChatRooms($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      rooms {\n        ...ChatRoomFields\n      }\n      roomsCursor\n      presence {\n        userId\n        state\n        version\n      }\n    }\n  }\n"): (typeof documents)["\n  query ChatRooms($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      rooms {\n        ...ChatRoomFields\n      }\n      roomsCursor\n      presence {\n        userId\n        state\n        version\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RoomMessages($roomId: ID!, $last: Int, $before: String, $first: Int, $after: String, $around: ID) {\n    room(id: $roomId) {\n      ...ChatRoomFields\n      messages(last: $last, before: $before, first: $first, after: $after, around: $around) {\n        edges {\n          cursor\n          node {\n            ...ChatMessageFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RoomMessages($roomId: ID!, $last: Int, $before: String, $first: Int, $after: String, $around: ID) {\n    room(id: $roomId) {\n      ...ChatRoomFields\n      messages(last: $last, before: $before, first: $first, after: $after, around: $around) {\n        edges {\n          cursor\n          node {\n            ...ChatMessageFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RoomMembers($roomId: ID!, $first: Int, $after: String) {\n    room(id: $roomId) {\n      id\n      members(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            user {\n              id\n              name\n              picture\n            }\n            courseRoles\n            role\n            muted\n            lastReadSeq\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RoomMembers($roomId: ID!, $first: Int, $after: String) {\n    room(id: $roomId) {\n      id\n      members(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            user {\n              id\n              name\n              picture\n            }\n            courseRoles\n            role\n            muted\n            lastReadSeq\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      ...ChatMessageFields\n    }\n  }\n"): (typeof documents)["\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      ...ChatMessageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EditMessage($id: ID!, $body: String!, $language: String) {\n    editMessage(id: $id, body: $body, language: $language) {\n      ...ChatMessageFields\n    }\n  }\n"): (typeof documents)["\n  mutation EditMessage($id: ID!, $body: String!, $language: String) {\n    editMessage(id: $id, body: $body, language: $language) {\n      ...ChatMessageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteMessage($id: ID!) {\n    deleteMessage(id: $id) {\n      ...ChatMessageFields\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteMessage($id: ID!) {\n    deleteMessage(id: $id) {\n      ...ChatMessageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetReaction($messageId: ID!, $emoji: String!, $on: Boolean!) {\n    setReaction(messageId: $messageId, emoji: $emoji, on: $on) {\n      ...ChatMessageFields\n    }\n  }\n"): (typeof documents)["\n  mutation SetReaction($messageId: ID!, $emoji: String!, $on: Boolean!) {\n    setReaction(messageId: $messageId, emoji: $emoji, on: $on) {\n      ...ChatMessageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkRoomRead($roomId: ID!, $seq: String!) {\n    markRoomRead(roomId: $roomId, seq: $seq)\n  }\n"): (typeof documents)["\n  mutation MarkRoomRead($roomId: ID!, $seq: String!) {\n    markRoomRead(roomId: $roomId, seq: $seq)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetTyping($roomId: ID!, $typing: Boolean!) {\n    setTyping(roomId: $roomId, typing: $typing)\n  }\n"): (typeof documents)["\n  mutation SetTyping($roomId: ID!, $typing: Boolean!) {\n    setTyping(roomId: $roomId, typing: $typing)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OpenDirectRoom($courseId: ID!, $userId: ID!) {\n    openDirectRoom(courseId: $courseId, userId: $userId) {\n      ...ChatRoomFields\n    }\n  }\n"): (typeof documents)["\n  mutation OpenDirectRoom($courseId: ID!, $userId: ID!) {\n    openDirectRoom(courseId: $courseId, userId: $userId) {\n      ...ChatRoomFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateGroupRoom($courseId: ID!, $name: String!, $topic: String, $memberIds: [ID!]) {\n    createGroupRoom(courseId: $courseId, name: $name, topic: $topic, memberIds: $memberIds) {\n      ...ChatRoomFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateGroupRoom($courseId: ID!, $name: String!, $topic: String, $memberIds: [ID!]) {\n    createGroupRoom(courseId: $courseId, name: $name, topic: $topic, memberIds: $memberIds) {\n      ...ChatRoomFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetRoomMemberMuted($roomId: ID!, $userId: ID!, $muted: Boolean!) {\n    setRoomMemberMuted(roomId: $roomId, userId: $userId, muted: $muted)\n  }\n"): (typeof documents)["\n  mutation SetRoomMemberMuted($roomId: ID!, $userId: ID!, $muted: Boolean!) {\n    setRoomMemberMuted(roomId: $roomId, userId: $userId, muted: $muted)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SearchMessages($courseId: ID!, $query: String!, $first: Int, $after: String) {\n    searchMessages(courseId: $courseId, query: $query, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          roomId\n          roomName\n          roomKind\n          snippet\n          message {\n            ...ChatMessageFields\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query SearchMessages($courseId: ID!, $query: String!, $first: Int, $after: String) {\n    searchMessages(courseId: $courseId, query: $query, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          roomId\n          roomName\n          roomKind\n          snippet\n          message {\n            ...ChatMessageFields\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RoomEvents($roomId: ID!, $after: String) {\n    roomEvents(roomId: $roomId, after: $after) {\n      cursor\n      type\n      message {\n        ...ChatMessageFields\n      }\n      userId\n      userName\n      typing\n      readSeq\n      expiresAt\n      tutor {\n        requestId\n        questionId\n        state\n        text\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription RoomEvents($roomId: ID!, $after: String) {\n    roomEvents(roomId: $roomId, after: $after) {\n      cursor\n      type\n      message {\n        ...ChatMessageFields\n      }\n      userId\n      userName\n      typing\n      readSeq\n      expiresAt\n      tutor {\n        requestId\n        questionId\n        state\n        text\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ChatActivity($courseId: ID!, $after: String) {\n    chatActivity(courseId: $courseId, after: $after) {\n      type\n      roomId\n      readSeq\n      message {\n        id\n        seq\n        kind\n        author {\n          id\n        }\n        createdAt\n      }\n      announcement {\n        ...AnnouncementFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription ChatActivity($courseId: ID!, $after: String) {\n    chatActivity(courseId: $courseId, after: $after) {\n      type\n      roomId\n      readSeq\n      message {\n        id\n        seq\n        kind\n        author {\n          id\n        }\n        createdAt\n      }\n      announcement {\n        ...AnnouncementFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PinAnnouncement($messageId: ID!) {\n    pinAnnouncement(messageId: $messageId) {\n      ...ChatRoomFields\n    }\n  }\n"): (typeof documents)["\n  mutation PinAnnouncement($messageId: ID!) {\n    pinAnnouncement(messageId: $messageId) {\n      ...ChatRoomFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnpinAnnouncement($roomId: ID!) {\n    unpinAnnouncement(roomId: $roomId) {\n      ...ChatRoomFields\n    }\n  }\n"): (typeof documents)["\n  mutation UnpinAnnouncement($roomId: ID!) {\n    unpinAnnouncement(roomId: $roomId) {\n      ...ChatRoomFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription Presence($courseId: ID!, $tabId: String, $section: String) {\n    presence(courseId: $courseId, tabId: $tabId, section: $section) {\n      userId\n      state\n      version\n    }\n  }\n"): (typeof documents)["\n  subscription Presence($courseId: ID!, $tabId: String, $section: String) {\n    presence(courseId: $courseId, tabId: $tabId, section: $section) {\n      userId\n      state\n      version\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetPresence($courseId: ID!, $tabId: String!, $state: PresenceState!, $section: String) {\n    setPresence(courseId: $courseId, tabId: $tabId, state: $state, section: $section)\n  }\n"): (typeof documents)["\n  mutation SetPresence($courseId: ID!, $tabId: String!, $state: PresenceState!, $section: String) {\n    setPresence(courseId: $courseId, tabId: $tabId, state: $state, section: $section)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateRoom($id: ID!, $name: String, $topic: String, $archived: Boolean) {\n    updateRoom(id: $id, name: $name, topic: $topic, archived: $archived) {\n      ...ChatRoomFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateRoom($id: ID!, $name: String, $topic: String, $archived: Boolean) {\n    updateRoom(id: $id, name: $name, topic: $topic, archived: $archived) {\n      ...ChatRoomFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddRoomMembers($roomId: ID!, $userIds: [ID!]!) {\n    addRoomMembers(roomId: $roomId, userIds: $userIds) {\n      ...ChatRoomFields\n    }\n  }\n"): (typeof documents)["\n  mutation AddRoomMembers($roomId: ID!, $userIds: [ID!]!) {\n    addRoomMembers(roomId: $roomId, userIds: $userIds) {\n      ...ChatRoomFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveRoomMember($roomId: ID!, $userId: ID!) {\n    removeRoomMember(roomId: $roomId, userId: $userId)\n  }\n"): (typeof documents)["\n  mutation RemoveRoomMember($roomId: ID!, $userId: ID!) {\n    removeRoomMember(roomId: $roomId, userId: $userId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CollabDocument($id: ID!) {\n    collabDocument(id: $id) {\n      id\n      sessionId\n      ownerId\n      ownerName\n      state\n      cursor\n      textLength\n      editedAt\n      language\n      locked\n      viewerCanEdit\n      viewerCanManage\n    }\n  }\n"): (typeof documents)["\n  query CollabDocument($id: ID!) {\n    collabDocument(id: $id) {\n      id\n      sessionId\n      ownerId\n      ownerName\n      state\n      cursor\n      textLength\n      editedAt\n      language\n      locked\n      viewerCanEdit\n      viewerCanManage\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ApplyCollabUpdate($documentId: ID!, $update: String!, $clientTag: String) {\n    applyCollabUpdate(documentId: $documentId, update: $update, clientTag: $clientTag) {\n      stored\n      cursor\n    }\n  }\n"): (typeof documents)["\n  mutation ApplyCollabUpdate($documentId: ID!, $update: String!, $clientTag: String) {\n    applyCollabUpdate(documentId: $documentId, update: $update, clientTag: $clientTag) {\n      stored\n      cursor\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendCollabAwareness($documentId: ID!, $update: String!) {\n    sendCollabAwareness(documentId: $documentId, update: $update)\n  }\n"): (typeof documents)["\n  mutation SendCollabAwareness($documentId: ID!, $update: String!) {\n    sendCollabAwareness(documentId: $documentId, update: $update)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CollabDocumentEvents($documentId: ID!, $after: String) {\n    collabDocumentEvents(documentId: $documentId, after: $after) {\n      __typename\n      ... on CollabUpdateEvent {\n        cursor\n        update\n        userId\n        kind\n        clientTag\n      }\n      ... on CollabAwarenessEvent {\n        userId\n        name\n        color\n        update\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription CollabDocumentEvents($documentId: ID!, $after: String) {\n    collabDocumentEvents(documentId: $documentId, after: $after) {\n      __typename\n      ... on CollabUpdateEvent {\n        cursor\n        update\n        userId\n        kind\n        clientTag\n      }\n      ... on CollabAwarenessEvent {\n        userId\n        name\n        color\n        update\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetCollabDocument($documentId: ID!) {\n    resetCollabDocument(documentId: $documentId) {\n      stored\n      cursor\n    }\n  }\n"): (typeof documents)["\n  mutation ResetCollabDocument($documentId: ID!) {\n    resetCollabDocument(documentId: $documentId) {\n      stored\n      cursor\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CollabVersionFields on CollabVersion {\n    id\n    documentId\n    name\n    createdAt\n    createdByName\n  }\n"): (typeof documents)["\n  fragment CollabVersionFields on CollabVersion {\n    id\n    documentId\n    name\n    createdAt\n    createdByName\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CollabVersions($documentId: ID!) {\n    collabVersions(documentId: $documentId) {\n      ...CollabVersionFields\n    }\n  }\n"): (typeof documents)["\n  query CollabVersions($documentId: ID!) {\n    collabVersions(documentId: $documentId) {\n      ...CollabVersionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SaveCollabVersion($documentId: ID!, $name: String!) {\n    saveCollabVersion(documentId: $documentId, name: $name) {\n      ...CollabVersionFields\n    }\n  }\n"): (typeof documents)["\n  mutation SaveCollabVersion($documentId: ID!, $name: String!) {\n    saveCollabVersion(documentId: $documentId, name: $name) {\n      ...CollabVersionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RestoreCollabVersion($versionId: ID!) {\n    restoreCollabVersion(versionId: $versionId) {\n      stored\n      cursor\n    }\n  }\n"): (typeof documents)["\n  mutation RestoreCollabVersion($versionId: ID!) {\n    restoreCollabVersion(versionId: $versionId) {\n      stored\n      cursor\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CollabSessionFields on CollabSession {\n    id\n    courseId\n    title\n    description\n    language\n    startingCode\n    visibility\n    accessCode\n    maxCollaborators\n    collaboratorCount\n    ownerId\n    ownerName\n    activity {\n      id\n      title\n    }\n    mode\n    locked\n    forkedAt\n    createdAt\n    updatedAt\n    viewerCanManage\n    viewerJoined\n    sharedDocumentId\n    viewerDocumentId\n    cursor\n  }\n"): (typeof documents)["\n  fragment CollabSessionFields on CollabSession {\n    id\n    courseId\n    title\n    description\n    language\n    startingCode\n    visibility\n    accessCode\n    maxCollaborators\n    collaboratorCount\n    ownerId\n    ownerName\n    activity {\n      id\n      title\n    }\n    mode\n    locked\n    forkedAt\n    createdAt\n    updatedAt\n    viewerCanManage\n    viewerJoined\n    sharedDocumentId\n    viewerDocumentId\n    cursor\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CollabCopyFields on CollabCopy {\n    userId\n    userName\n    started\n    document {\n      id\n      ownerId\n      textLength\n      editedAt\n      startedAt\n    }\n  }\n"): (typeof documents)["\n  fragment CollabCopyFields on CollabCopy {\n    userId\n    userName\n    started\n    document {\n      id\n      ownerId\n      textLength\n      editedAt\n      startedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CollabSessions($courseId: ID!) {\n    collabSessions(courseId: $courseId) {\n      cursor\n      sessions {\n        ...CollabSessionFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query CollabSessions($courseId: ID!) {\n    collabSessions(courseId: $courseId) {\n      cursor\n      sessions {\n        ...CollabSessionFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CourseCollabSessionEvents($courseId: ID!, $after: String) {\n    courseCollabSessionEvents(courseId: $courseId, after: $after) {\n      cursor\n      type\n      sessionId\n      session {\n        ...CollabSessionFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription CourseCollabSessionEvents($courseId: ID!, $after: String) {\n    courseCollabSessionEvents(courseId: $courseId, after: $after) {\n      cursor\n      type\n      sessionId\n      session {\n        ...CollabSessionFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CollabSession($id: ID!) {\n    collabSession(id: $id) {\n      ...CollabSessionFields\n    }\n  }\n"): (typeof documents)["\n  query CollabSession($id: ID!) {\n    collabSession(id: $id) {\n      ...CollabSessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CollabSessionForActivity($activityId: ID!) {\n    collabSessionForActivity(activityId: $activityId) {\n      ...CollabSessionFields\n    }\n  }\n"): (typeof documents)["\n  query CollabSessionForActivity($activityId: ID!) {\n    collabSessionForActivity(activityId: $activityId) {\n      ...CollabSessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CollabActivities($courseId: ID!) {\n    collabActivities(courseId: $courseId) {\n      id\n      title\n    }\n  }\n"): (typeof documents)["\n  query CollabActivities($courseId: ID!) {\n    collabActivities(courseId: $courseId) {\n      id\n      title\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateCollabSession($input: CreateCollabSessionInput!) {\n    createCollabSession(input: $input) {\n      ...CollabSessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateCollabSession($input: CreateCollabSessionInput!) {\n    createCollabSession(input: $input) {\n      ...CollabSessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateCollabSession($id: ID!, $input: UpdateCollabSessionInput!) {\n    updateCollabSession(id: $id, input: $input) {\n      ...CollabSessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateCollabSession($id: ID!, $input: UpdateCollabSessionInput!) {\n    updateCollabSession(id: $id, input: $input) {\n      ...CollabSessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteCollabSession($id: ID!) {\n    deleteCollabSession(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteCollabSession($id: ID!) {\n    deleteCollabSession(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation JoinCollabSession($id: ID!, $accessCode: String) {\n    joinCollabSession(id: $id, accessCode: $accessCode) {\n      id\n      sessionId\n      ownerId\n    }\n  }\n"): (typeof documents)["\n  mutation JoinCollabSession($id: ID!, $accessCode: String) {\n    joinCollabSession(id: $id, accessCode: $accessCode) {\n      id\n      sessionId\n      ownerId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetCollabSessionLocked($id: ID!, $locked: Boolean!) {\n    setCollabSessionLocked(id: $id, locked: $locked) {\n      ...CollabSessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation SetCollabSessionLocked($id: ID!, $locked: Boolean!) {\n    setCollabSessionLocked(id: $id, locked: $locked) {\n      ...CollabSessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ForkCollabSession($id: ID!) {\n    forkCollabSession(id: $id) {\n      ...CollabSessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation ForkCollabSession($id: ID!) {\n    forkCollabSession(id: $id) {\n      ...CollabSessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CollabGrid($sessionId: ID!) {\n    collabGrid(sessionId: $sessionId) {\n      cursor\n      session {\n        ...CollabSessionFields\n      }\n      copies {\n        ...CollabCopyFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query CollabGrid($sessionId: ID!) {\n    collabGrid(sessionId: $sessionId) {\n      cursor\n      session {\n        ...CollabSessionFields\n      }\n      copies {\n        ...CollabCopyFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CollabSessionEvents($sessionId: ID!, $after: String) {\n    collabSessionEvents(sessionId: $sessionId, after: $after) {\n      cursor\n      type\n      sessionId\n      session {\n        ...CollabSessionFields\n      }\n      copy {\n        ...CollabCopyFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription CollabSessionEvents($sessionId: ID!, $after: String) {\n    collabSessionEvents(sessionId: $sessionId, after: $after) {\n      cursor\n      type\n      sessionId\n      session {\n        ...CollabSessionFields\n      }\n      copy {\n        ...CollabCopyFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CollabReplay($documentId: ID!, $after: String, $first: Int) {\n    collabReplay(documentId: $documentId, after: $after, first: $first) {\n      documentId\n      base\n      hasMore\n      steps {\n        cursor\n        at\n        userId\n        userName\n        kind\n        update\n      }\n    }\n  }\n"): (typeof documents)["\n  query CollabReplay($documentId: ID!, $after: String, $first: Int) {\n    collabReplay(documentId: $documentId, after: $after, first: $first) {\n      documentId\n      base\n      hasMore\n      steps {\n        cursor\n        at\n        userId\n        userName\n        kind\n        update\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CollabReplayDocument($id: ID!) {\n    collabDocument(id: $id) {\n      id\n      sessionId\n      ownerId\n      ownerName\n      language\n      textLength\n    }\n  }\n"): (typeof documents)["\n  query CollabReplayDocument($id: ID!) {\n    collabDocument(id: $id) {\n      id\n      sessionId\n      ownerId\n      ownerName\n      language\n      textLength\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Course($id: ID!) {\n    course(id: $id) {\n      id\n      title\n      label\n      myRoles\n    }\n  }\n"): (typeof documents)["\n  query Course($id: ID!) {\n    course(id: $id) {\n      id\n      title\n      label\n      myRoles\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CourseMembers($id: ID!, $first: Int, $after: String) {\n    course(id: $id) {\n      id\n      members(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            user {\n              id\n              name\n            }\n            roles\n            launched\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CourseMembers($id: ID!, $first: Int, $after: String) {\n    course(id: $id) {\n      id\n      members(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            user {\n              id\n              name\n            }\n            roles\n            launched\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RosterSyncFields on RosterSync {\n    status\n    fetched\n    pages\n    startedAt\n    finishedAt\n    error\n  }\n"): (typeof documents)["\n  fragment RosterSyncFields on RosterSync {\n    status\n    fetched\n    pages\n    startedAt\n    finishedAt\n    error\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RosterSync($id: ID!) {\n    course(id: $id) {\n      id\n      rosterSync {\n        ...RosterSyncFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query RosterSync($id: ID!) {\n    course(id: $id) {\n      id\n      rosterSync {\n        ...RosterSyncFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SyncRoster($courseId: ID!) {\n    syncRoster(courseId: $courseId) {\n      ...RosterSyncFields\n    }\n  }\n"): (typeof documents)["\n  mutation SyncRoster($courseId: ID!) {\n    syncRoster(courseId: $courseId) {\n      ...RosterSyncFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Courses($first: Int, $after: String) {\n    courses(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          title\n          label\n          myRoles\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Courses($first: Int, $after: String) {\n    courses(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          title\n          label\n          myRoles\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DeepLinkRequest($id: ID!) {\n    deepLinkRequest(id: $id) {\n      id\n      acceptMultiple\n      title\n      expiresAt\n      course {\n        id\n        title\n        label\n        myRoles\n      }\n    }\n  }\n"): (typeof documents)["\n  query DeepLinkRequest($id: ID!) {\n    deepLinkRequest(id: $id) {\n      id\n      acceptMultiple\n      title\n      expiresAt\n      course {\n        id\n        title\n        label\n        myRoles\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SubmitDeepLink($requestId: ID!, $items: [DeepLinkItemInput!]!) {\n    submitDeepLink(requestId: $requestId, items: $items) {\n      returnUrl\n      jwt\n    }\n  }\n"): (typeof documents)["\n  mutation SubmitDeepLink($requestId: ID!, $items: [DeepLinkItemInput!]!) {\n    submitDeepLink(requestId: $requestId, items: $items) {\n      returnUrl\n      jwt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DashboardLiveClassFields on LiveClass {\n    id\n    title\n    state\n    startsAt\n    endsAt\n    startedAt\n    endedAt\n    cursor\n    participants {\n      userId\n      userName\n      role\n      present\n    }\n    hands {\n      userId\n      userName\n      raisedAt\n    }\n    questions {\n      ...LiveQuestionFields\n    }\n    polls {\n      ...LivePollFields\n    }\n    confusion {\n      ...LiveConfusionFields\n    }\n  }\n"): (typeof documents)["\n  fragment DashboardLiveClassFields on LiveClass {\n    id\n    title\n    state\n    startsAt\n    endsAt\n    startedAt\n    endedAt\n    cursor\n    participants {\n      userId\n      userName\n      role\n      present\n    }\n    hands {\n      userId\n      userName\n      raisedAt\n    }\n    questions {\n      ...LiveQuestionFields\n    }\n    polls {\n      ...LivePollFields\n    }\n    confusion {\n      ...LiveConfusionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LiveDashboardFields on LiveDashboard {\n    courseId\n    at\n    activeStudents\n    bySection {\n      section\n      count\n    }\n    students {\n      userId\n      userName\n      section\n      state\n    }\n    messagesPerMinute {\n      at\n      count\n    }\n    openQuestions\n    hands\n    confusionTrend {\n      at\n      count\n    }\n    present\n    admitted\n    tutor {\n      tokensToday\n      dailyBudget\n      monthTokens\n      monthlyBudget\n      questionsToday\n    }\n    struggles {\n      topic\n      count\n      source\n    }\n    answerWait {\n      answered\n      waiting\n      medianSeconds\n      p90Seconds\n      longestWaitingSeconds\n    }\n    liveClass {\n      ...DashboardLiveClassFields\n    }\n  }\n"): (typeof documents)["\n  fragment LiveDashboardFields on LiveDashboard {\n    courseId\n    at\n    activeStudents\n    bySection {\n      section\n      count\n    }\n    students {\n      userId\n      userName\n      section\n      state\n    }\n    messagesPerMinute {\n      at\n      count\n    }\n    openQuestions\n    hands\n    confusionTrend {\n      at\n      count\n    }\n    present\n    admitted\n    tutor {\n      tokensToday\n      dailyBudget\n      monthTokens\n      monthlyBudget\n      questionsToday\n    }\n    struggles {\n      topic\n      count\n      source\n    }\n    answerWait {\n      answered\n      waiting\n      medianSeconds\n      p90Seconds\n      longestWaitingSeconds\n    }\n    liveClass {\n      ...DashboardLiveClassFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DashboardClassEventFields on LiveClassEvent {\n    cursor\n    type\n    at\n    classId\n    state\n    startedAt\n    endedAt\n    userId\n    count\n    participant {\n      userId\n      userName\n      role\n      present\n    }\n    hand {\n      userId\n      userName\n      raisedAt\n    }\n    question {\n      ...LiveQuestionFields\n    }\n    poll {\n      ...LivePollFields\n    }\n    confusion {\n      ...LiveConfusionFields\n    }\n  }\n"): (typeof documents)["\n  fragment DashboardClassEventFields on LiveClassEvent {\n    cursor\n    type\n    at\n    classId\n    state\n    startedAt\n    endedAt\n    userId\n    count\n    participant {\n      userId\n      userName\n      role\n      present\n    }\n    hand {\n      userId\n      userName\n      raisedAt\n    }\n    question {\n      ...LiveQuestionFields\n    }\n    poll {\n      ...LivePollFields\n    }\n    confusion {\n      ...LiveConfusionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CourseLiveDashboard($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      liveDashboard {\n        ...LiveDashboardFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query CourseLiveDashboard($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      liveDashboard {\n        ...LiveDashboardFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LiveDashboardUpdates($courseId: ID!) {\n    liveDashboard(courseId: $courseId) {\n      ...LiveDashboardFields\n    }\n  }\n"): (typeof documents)["\n  subscription LiveDashboardUpdates($courseId: ID!) {\n    liveDashboard(courseId: $courseId) {\n      ...LiveDashboardFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DashboardClassEvents($classId: ID!, $after: String) {\n    liveClassEvents(classId: $classId, after: $after) {\n      ...DashboardClassEventFields\n    }\n  }\n"): (typeof documents)["\n  subscription DashboardClassEvents($classId: ID!, $after: String) {\n    liveClassEvents(classId: $classId, after: $after) {\n      ...DashboardClassEventFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LiveClassSummaryFields on LiveClass {\n    id\n    courseId\n    title\n    description\n    startsAt\n    endsAt\n    state\n    startedAt\n    endedAt\n    maxParticipants\n    participantCount\n    provider\n    recordingUrl\n    canHost\n    joined\n  }\n"): (typeof documents)["\n  fragment LiveClassSummaryFields on LiveClass {\n    id\n    courseId\n    title\n    description\n    startsAt\n    endsAt\n    state\n    startedAt\n    endedAt\n    maxParticipants\n    participantCount\n    provider\n    recordingUrl\n    canHost\n    joined\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LiveClassEditFields on LiveClass {\n    id\n    title\n    description\n    startsAt\n    endsAt\n    state\n    maxParticipants\n    provider\n    meetingUrl\n    policy\n    thresholdPercent\n    anonymousQuestions\n    gradeLink {\n      id\n      title\n    }\n  }\n"): (typeof documents)["\n  fragment LiveClassEditFields on LiveClass {\n    id\n    title\n    description\n    startsAt\n    endsAt\n    state\n    maxParticipants\n    provider\n    meetingUrl\n    policy\n    thresholdPercent\n    anonymousQuestions\n    gradeLink {\n      id\n      title\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LiveQuestionFields on LiveQuestion {\n    id\n    classId\n    body\n    authorId\n    authorName\n    anonymous\n    status\n    votes\n    createdAt\n    answeredAt\n  }\n"): (typeof documents)["\n  fragment LiveQuestionFields on LiveQuestion {\n    id\n    classId\n    body\n    authorId\n    authorName\n    anonymous\n    status\n    votes\n    createdAt\n    answeredAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LivePollFields on LivePoll {\n    id\n    classId\n    question\n    options {\n      label\n      count\n    }\n    status\n    total\n    createdAt\n    closedAt\n  }\n"): (typeof documents)["\n  fragment LivePollFields on LivePoll {\n    id\n    classId\n    question\n    options {\n      label\n      count\n    }\n    status\n    total\n    createdAt\n    closedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LiveConfusionFields on LiveConfusion {\n    count\n    present\n    windowSeconds\n    alertPercent\n    alert\n    topics {\n      topic\n      count\n    }\n    signals {\n      at\n      topic\n    }\n    at\n  }\n"): (typeof documents)["\n  fragment LiveConfusionFields on LiveConfusion {\n    count\n    present\n    windowSeconds\n    alertPercent\n    alert\n    topics {\n      topic\n      count\n    }\n    signals {\n      at\n      topic\n    }\n    at\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LiveAttendanceFields on LiveAttendance {\n    userId\n    userName\n    role\n    present\n    minutesPresent\n    measuredMinutes\n    correctedMinutes\n    scheduledMinutes\n    joins\n    score\n    passback\n    passbackError\n    passbackAt\n  }\n"): (typeof documents)["\n  fragment LiveAttendanceFields on LiveAttendance {\n    userId\n    userName\n    role\n    present\n    minutesPresent\n    measuredMinutes\n    correctedMinutes\n    scheduledMinutes\n    joins\n    score\n    passback\n    passbackError\n    passbackAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LiveClassPageFields on LiveClass {\n    ...LiveClassSummaryFields\n    sessionId\n    roomId\n    meetingUrl\n    recordings {\n      id\n      url\n      startedAt\n      endedAt\n      minutes\n    }\n    policy\n    thresholdPercent\n    anonymousQuestions\n    confusionWindowSeconds\n    confusionAlertPercent\n    gradeLink {\n      id\n      title\n    }\n    participants {\n      userId\n      userName\n      role\n      present\n    }\n    hands {\n      userId\n      userName\n      raisedAt\n    }\n    questions {\n      ...LiveQuestionFields\n    }\n    polls {\n      ...LivePollFields\n    }\n    confusion {\n      ...LiveConfusionFields\n    }\n    myVotes\n    myPollAnswers {\n      pollId\n      option\n    }\n    myConfusedAt\n    attendance {\n      ...LiveAttendanceFields\n    }\n    myAttendance {\n      ...LiveAttendanceFields\n    }\n    cursor\n  }\n"): (typeof documents)["\n  fragment LiveClassPageFields on LiveClass {\n    ...LiveClassSummaryFields\n    sessionId\n    roomId\n    meetingUrl\n    recordings {\n      id\n      url\n      startedAt\n      endedAt\n      minutes\n    }\n    policy\n    thresholdPercent\n    anonymousQuestions\n    confusionWindowSeconds\n    confusionAlertPercent\n    gradeLink {\n      id\n      title\n    }\n    participants {\n      userId\n      userName\n      role\n      present\n    }\n    hands {\n      userId\n      userName\n      raisedAt\n    }\n    questions {\n      ...LiveQuestionFields\n    }\n    polls {\n      ...LivePollFields\n    }\n    confusion {\n      ...LiveConfusionFields\n    }\n    myVotes\n    myPollAnswers {\n      pollId\n      option\n    }\n    myConfusedAt\n    attendance {\n      ...LiveAttendanceFields\n    }\n    myAttendance {\n      ...LiveAttendanceFields\n    }\n    cursor\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CourseLiveClasses($id: ID!) {\n    course(id: $id) {\n      id\n      liveClasses {\n        cursor\n        classes {\n          ...LiveClassSummaryFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CourseLiveClasses($id: ID!) {\n    course(id: $id) {\n      id\n      liveClasses {\n        cursor\n        classes {\n          ...LiveClassSummaryFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CourseLiveClassEvents($courseId: ID!, $after: String) {\n    courseLiveClassEvents(courseId: $courseId, after: $after) {\n      cursor\n      type\n      classId\n      liveClass {\n        ...LiveClassSummaryFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription CourseLiveClassEvents($courseId: ID!, $after: String) {\n    courseLiveClassEvents(courseId: $courseId, after: $after) {\n      cursor\n      type\n      classId\n      liveClass {\n        ...LiveClassSummaryFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LivePlanOptions($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      liveMeetingProviders\n      scheduleSettings {\n        timeZone\n      }\n    }\n    liveGradeLinks(courseId: $courseId) {\n      id\n      title\n    }\n  }\n"): (typeof documents)["\n  query LivePlanOptions($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      liveMeetingProviders\n      scheduleSettings {\n        timeZone\n      }\n    }\n    liveGradeLinks(courseId: $courseId) {\n      id\n      title\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LiveClassEdit($id: ID!) {\n    liveClass(id: $id) {\n      ...LiveClassEditFields\n    }\n  }\n"): (typeof documents)["\n  query LiveClassEdit($id: ID!) {\n    liveClass(id: $id) {\n      ...LiveClassEditFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LiveClass($id: ID!) {\n    liveClass(id: $id) {\n      ...LiveClassPageFields\n    }\n  }\n"): (typeof documents)["\n  query LiveClass($id: ID!) {\n    liveClass(id: $id) {\n      ...LiveClassPageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LiveChatRoom($id: ID!) {\n    room(id: $id) {\n      ...ChatRoomFields\n    }\n  }\n"): (typeof documents)["\n  query LiveChatRoom($id: ID!) {\n    room(id: $id) {\n      ...ChatRoomFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LiveAttendanceCsv($id: ID!) {\n    liveClass(id: $id) {\n      id\n      attendanceCsv\n    }\n  }\n"): (typeof documents)["\n  query LiveAttendanceCsv($id: ID!) {\n    liveClass(id: $id) {\n      id\n      attendanceCsv\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LiveClassEvents($classId: ID!, $after: String) {\n    liveClassEvents(classId: $classId, after: $after) {\n      cursor\n      type\n      at\n      classId\n      state\n      startedAt\n      endedAt\n      recordingUrl\n      participant {\n        userId\n        userName\n        role\n        present\n      }\n      hand {\n        userId\n        userName\n        raisedAt\n      }\n      userId\n      count\n      question {\n        ...LiveQuestionFields\n      }\n      confusion {\n        ...LiveConfusionFields\n      }\n      poll {\n        ...LivePollFields\n      }\n      attendance {\n        ...LiveAttendanceFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription LiveClassEvents($classId: ID!, $after: String) {\n    liveClassEvents(classId: $classId, after: $after) {\n      cursor\n      type\n      at\n      classId\n      state\n      startedAt\n      endedAt\n      recordingUrl\n      participant {\n        userId\n        userName\n        role\n        present\n      }\n      hand {\n        userId\n        userName\n        raisedAt\n      }\n      userId\n      count\n      question {\n        ...LiveQuestionFields\n      }\n      confusion {\n        ...LiveConfusionFields\n      }\n      poll {\n        ...LivePollFields\n      }\n      attendance {\n        ...LiveAttendanceFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateLiveClass($courseId: ID!, $input: LiveClassInput!) {\n    createLiveClass(courseId: $courseId, input: $input) {\n      ...LiveClassSummaryFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateLiveClass($courseId: ID!, $input: LiveClassInput!) {\n    createLiveClass(courseId: $courseId, input: $input) {\n      ...LiveClassSummaryFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateLiveClass($id: ID!, $input: LiveClassInput!) {\n    updateLiveClass(id: $id, input: $input) {\n      ...LiveClassSummaryFields\n      ...LiveClassEditFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateLiveClass($id: ID!, $input: LiveClassInput!) {\n    updateLiveClass(id: $id, input: $input) {\n      ...LiveClassSummaryFields\n      ...LiveClassEditFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteLiveClass($id: ID!) {\n    deleteLiveClass(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteLiveClass($id: ID!) {\n    deleteLiveClass(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartLiveClass($id: ID!) {\n    startLiveClass(id: $id) {\n      ...LiveClassPageFields\n    }\n  }\n"): (typeof documents)["\n  mutation StartLiveClass($id: ID!) {\n    startLiveClass(id: $id) {\n      ...LiveClassPageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EndLiveClass($id: ID!) {\n    endLiveClass(id: $id) {\n      ...LiveClassPageFields\n    }\n  }\n"): (typeof documents)["\n  mutation EndLiveClass($id: ID!) {\n    endLiveClass(id: $id) {\n      ...LiveClassPageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetLiveRecordingUrl($id: ID!, $url: String) {\n    setLiveRecordingUrl(id: $id, url: $url) {\n      id\n      recordingUrl\n    }\n  }\n"): (typeof documents)["\n  mutation SetLiveRecordingUrl($id: ID!, $url: String) {\n    setLiveRecordingUrl(id: $id, url: $url) {\n      id\n      recordingUrl\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation JoinLiveClass($id: ID!) {\n    joinLiveClass(id: $id) {\n      meetingUrl\n      liveClass {\n        ...LiveClassPageFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation JoinLiveClass($id: ID!) {\n    joinLiveClass(id: $id) {\n      meetingUrl\n      liveClass {\n        ...LiveClassPageFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LiveHeartbeat($id: ID!) {\n    liveHeartbeat(id: $id)\n  }\n"): (typeof documents)["\n  mutation LiveHeartbeat($id: ID!) {\n    liveHeartbeat(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RaiseHand($classId: ID!) {\n    raiseHand(classId: $classId) {\n      userId\n      userName\n      raisedAt\n    }\n  }\n"): (typeof documents)["\n  mutation RaiseHand($classId: ID!) {\n    raiseHand(classId: $classId) {\n      userId\n      userName\n      raisedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LowerHand($classId: ID!, $userId: ID) {\n    lowerHand(classId: $classId, userId: $userId)\n  }\n"): (typeof documents)["\n  mutation LowerHand($classId: ID!, $userId: ID) {\n    lowerHand(classId: $classId, userId: $userId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClearHands($classId: ID!) {\n    clearHands(classId: $classId)\n  }\n"): (typeof documents)["\n  mutation ClearHands($classId: ID!) {\n    clearHands(classId: $classId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AskLiveQuestion($classId: ID!, $body: String!, $anonymous: Boolean) {\n    askLiveQuestion(classId: $classId, body: $body, anonymous: $anonymous) {\n      ...LiveQuestionFields\n    }\n  }\n"): (typeof documents)["\n  mutation AskLiveQuestion($classId: ID!, $body: String!, $anonymous: Boolean) {\n    askLiveQuestion(classId: $classId, body: $body, anonymous: $anonymous) {\n      ...LiveQuestionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VoteLiveQuestion($questionId: ID!) {\n    voteLiveQuestion(questionId: $questionId) {\n      ...LiveQuestionFields\n    }\n  }\n"): (typeof documents)["\n  mutation VoteLiveQuestion($questionId: ID!) {\n    voteLiveQuestion(questionId: $questionId) {\n      ...LiveQuestionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetLiveQuestionStatus($questionId: ID!, $status: LiveQuestionStatus!) {\n    setLiveQuestionStatus(questionId: $questionId, status: $status) {\n      ...LiveQuestionFields\n    }\n  }\n"): (typeof documents)["\n  mutation SetLiveQuestionStatus($questionId: ID!, $status: LiveQuestionStatus!) {\n    setLiveQuestionStatus(questionId: $questionId, status: $status) {\n      ...LiveQuestionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignalConfusion($classId: ID!, $topic: String) {\n    signalConfusion(classId: $classId, topic: $topic)\n  }\n"): (typeof documents)["\n  mutation SignalConfusion($classId: ID!, $topic: String) {\n    signalConfusion(classId: $classId, topic: $topic)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OpenLivePoll($classId: ID!, $question: String!, $options: [String!]!) {\n    openLivePoll(classId: $classId, question: $question, options: $options) {\n      ...LivePollFields\n    }\n  }\n"): (typeof documents)["\n  mutation OpenLivePoll($classId: ID!, $question: String!, $options: [String!]!) {\n    openLivePoll(classId: $classId, question: $question, options: $options) {\n      ...LivePollFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AnswerLivePoll($pollId: ID!, $option: Int!) {\n    answerLivePoll(pollId: $pollId, option: $option) {\n      ...LivePollFields\n    }\n  }\n"): (typeof documents)["\n  mutation AnswerLivePoll($pollId: ID!, $option: Int!) {\n    answerLivePoll(pollId: $pollId, option: $option) {\n      ...LivePollFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CloseLivePoll($pollId: ID!) {\n    closeLivePoll(pollId: $pollId) {\n      ...LivePollFields\n    }\n  }\n"): (typeof documents)["\n  mutation CloseLivePoll($pollId: ID!) {\n    closeLivePoll(pollId: $pollId) {\n      ...LivePollFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CorrectLiveAttendance($classId: ID!, $userId: ID!, $minutes: Int) {\n    correctLiveAttendance(classId: $classId, userId: $userId, minutes: $minutes) {\n      ...LiveAttendanceFields\n    }\n  }\n"): (typeof documents)["\n  mutation CorrectLiveAttendance($classId: ID!, $userId: ID!, $minutes: Int) {\n    correctLiveAttendance(classId: $classId, userId: $userId, minutes: $minutes) {\n      ...LiveAttendanceFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryLivePassback($classId: ID!) {\n    retryLivePassback(classId: $classId)\n  }\n"): (typeof documents)["\n  mutation RetryLivePassback($classId: ID!) {\n    retryLivePassback(classId: $classId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment NotificationFields on Notification {\n    id\n    type\n    courseId\n    courseTitle\n    actorName\n    roomId\n    messageId\n    excerpt\n    data\n    read\n    createdAt\n  }\n"): (typeof documents)["\n  fragment NotificationFields on Notification {\n    id\n    type\n    courseId\n    courseTitle\n    actorName\n    roomId\n    messageId\n    excerpt\n    data\n    read\n    createdAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Notifications($first: Int, $after: String) {\n    unreadNotificationCount\n    notifications(first: $first, after: $after) {\n      cursor\n      edges {\n        cursor\n        node {\n          ...NotificationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Notifications($first: Int, $after: String) {\n    unreadNotificationCount\n    notifications(first: $first, after: $after) {\n      cursor\n      edges {\n        cursor\n        node {\n          ...NotificationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription NotificationEvents($after: String) {\n    notificationEvents(after: $after) {\n      cursor\n      type\n      notification {\n        ...NotificationFields\n      }\n      readIds\n      allRead\n      unreadCount\n    }\n  }\n"): (typeof documents)["\n  subscription NotificationEvents($after: String) {\n    notificationEvents(after: $after) {\n      cursor\n      type\n      notification {\n        ...NotificationFields\n      }\n      readIds\n      allRead\n      unreadCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkNotificationRead($id: ID!) {\n    markNotificationRead(id: $id)\n  }\n"): (typeof documents)["\n  mutation MarkNotificationRead($id: ID!) {\n    markNotificationRead(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n"): (typeof documents)["\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NotificationPreferences {\n    notificationPreferences {\n      type\n      label\n      group\n      muted\n    }\n  }\n"): (typeof documents)["\n  query NotificationPreferences {\n    notificationPreferences {\n      type\n      label\n      group\n      muted\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetNotificationMuted($type: String!, $muted: Boolean!) {\n    setNotificationMuted(type: $type, muted: $muted) {\n      type\n      label\n      group\n      muted\n    }\n  }\n"): (typeof documents)["\n  mutation SetNotificationMuted($type: String!, $muted: Boolean!) {\n    setNotificationMuted(type: $type, muted: $muted) {\n      type\n      label\n      group\n      muted\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n"): (typeof documents)["\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OfficeHourWindowFields on OfficeHourWindow {\n    id\n    hostId\n    hostName\n    title\n    weekday\n    startTime\n    endTime\n    timeZone\n    slotMinutes\n    horizonDays\n    minNoticeMinutes\n    cancelNoticeMinutes\n    location\n    meetingUrl\n    status\n  }\n"): (typeof documents)["\n  fragment OfficeHourWindowFields on OfficeHourWindow {\n    id\n    hostId\n    hostName\n    title\n    weekday\n    startTime\n    endTime\n    timeZone\n    slotMinutes\n    horizonDays\n    minNoticeMinutes\n    cancelNoticeMinutes\n    location\n    meetingUrl\n    status\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OfficeHourBookingFields on OfficeHourBooking {\n    id\n    windowId\n    windowTitle\n    sessionId\n    hostId\n    hostName\n    studentId\n    studentName\n    startsAt\n    endsAt\n    timeZone\n    question\n    location\n    meetingUrl\n    status\n  }\n"): (typeof documents)["\n  fragment OfficeHourBookingFields on OfficeHourBooking {\n    id\n    windowId\n    windowTitle\n    sessionId\n    hostId\n    hostName\n    studentId\n    studentName\n    startsAt\n    endsAt\n    timeZone\n    question\n    location\n    meetingUrl\n    status\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OfficeHoursOverview($courseId: ID!, $from: DateTime) {\n    officeHours(courseId: $courseId) {\n      cursor\n      windows {\n        ...OfficeHourWindowFields\n      }\n    }\n    officeHourBookings(courseId: $courseId, from: $from) {\n      cursor\n      bookings {\n        ...OfficeHourBookingFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query OfficeHoursOverview($courseId: ID!, $from: DateTime) {\n    officeHours(courseId: $courseId) {\n      cursor\n      windows {\n        ...OfficeHourWindowFields\n      }\n    }\n    officeHourBookings(courseId: $courseId, from: $from) {\n      cursor\n      bookings {\n        ...OfficeHourBookingFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OfficeHourDays($windowId: ID!, $from: String!, $to: String!) {\n    officeHourDays(windowId: $windowId, from: $from, to: $to) {\n      windowId\n      day\n      waitlistSize\n      waitlistPosition\n      waitlistStatus\n      slots {\n        startsAt\n        endsAt\n        state\n        bookingId\n      }\n    }\n  }\n"): (typeof documents)["\n  query OfficeHourDays($windowId: ID!, $from: String!, $to: String!) {\n    officeHourDays(windowId: $windowId, from: $from, to: $to) {\n      windowId\n      day\n      waitlistSize\n      waitlistPosition\n      waitlistStatus\n      slots {\n        startsAt\n        endsAt\n        state\n        bookingId\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PublishOfficeHours($input: PublishOfficeHoursInput!) {\n    publishOfficeHours(input: $input) {\n      ...OfficeHourWindowFields\n    }\n  }\n"): (typeof documents)["\n  mutation PublishOfficeHours($input: PublishOfficeHoursInput!) {\n    publishOfficeHours(input: $input) {\n      ...OfficeHourWindowFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WithdrawOfficeHours($id: ID!) {\n    withdrawOfficeHours(id: $id) {\n      ...OfficeHourWindowFields\n    }\n  }\n"): (typeof documents)["\n  mutation WithdrawOfficeHours($id: ID!) {\n    withdrawOfficeHours(id: $id) {\n      ...OfficeHourWindowFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BookOfficeHour($windowId: ID!, $startsAt: DateTime!, $question: String, $orNextFree: Boolean) {\n    bookOfficeHour(windowId: $windowId, startsAt: $startsAt, question: $question, orNextFree: $orNextFree) {\n      ...OfficeHourBookingFields\n    }\n  }\n"): (typeof documents)["\n  mutation BookOfficeHour($windowId: ID!, $startsAt: DateTime!, $question: String, $orNextFree: Boolean) {\n    bookOfficeHour(windowId: $windowId, startsAt: $startsAt, question: $question, orNextFree: $orNextFree) {\n      ...OfficeHourBookingFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelOfficeHourBooking($id: ID!) {\n    cancelOfficeHourBooking(id: $id) {\n      ...OfficeHourBookingFields\n    }\n  }\n"): (typeof documents)["\n  mutation CancelOfficeHourBooking($id: ID!) {\n    cancelOfficeHourBooking(id: $id) {\n      ...OfficeHourBookingFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation JoinOfficeHourWaitlist($windowId: ID!, $day: String!) {\n    joinOfficeHourWaitlist(windowId: $windowId, day: $day) {\n      id\n      day\n      status\n      position\n    }\n  }\n"): (typeof documents)["\n  mutation JoinOfficeHourWaitlist($windowId: ID!, $day: String!) {\n    joinOfficeHourWaitlist(windowId: $windowId, day: $day) {\n      id\n      day\n      status\n      position\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LeaveOfficeHourWaitlist($windowId: ID!, $day: String!) {\n    leaveOfficeHourWaitlist(windowId: $windowId, day: $day)\n  }\n"): (typeof documents)["\n  mutation LeaveOfficeHourWaitlist($windowId: ID!, $day: String!) {\n    leaveOfficeHourWaitlist(windowId: $windowId, day: $day)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OfficeHourEvents($courseId: ID!, $after: String) {\n    officeHourEvents(courseId: $courseId, after: $after) {\n      cursor\n      type\n      windowId\n      startsAt\n      bookingId\n      mine\n    }\n  }\n"): (typeof documents)["\n  subscription OfficeHourEvents($courseId: ID!, $after: String) {\n    officeHourEvents(courseId: $courseId, after: $after) {\n      cursor\n      type\n      windowId\n      startsAt\n      bookingId\n      mine\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SessionReminders($sessionId: ID!) {\n    sessionReminders(sessionId: $sessionId) {\n      userId\n      userName\n      offsetMinutes\n      dueAt\n      state\n      sentAt\n      error\n    }\n  }\n"): (typeof documents)["\n  query SessionReminders($sessionId: ID!) {\n    sessionReminders(sessionId: $sessionId) {\n      userId\n      userName\n      offsetMinutes\n      dueAt\n      state\n      sentAt\n      error\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ScheduleSessionFields on ScheduleSession {\n    id\n    courseId\n    kind\n    seriesId\n    recurrenceId\n    title\n    description\n    startsAt\n    endsAt\n    timeZone\n    hostId\n    hostName\n    audience\n    studentId\n    studentName\n    roomId\n    roomName\n    location\n    meetingUrl\n    status\n    sequence\n    canEdit\n  }\n"): (typeof documents)["\n  fragment ScheduleSessionFields on ScheduleSession {\n    id\n    courseId\n    kind\n    seriesId\n    recurrenceId\n    title\n    description\n    startsAt\n    endsAt\n    timeZone\n    hostId\n    hostName\n    audience\n    studentId\n    studentName\n    roomId\n    roomName\n    location\n    meetingUrl\n    status\n    sequence\n    canEdit\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CourseSchedule($id: ID!, $from: DateTime!, $to: DateTime!) {\n    course(id: $id) {\n      id\n      schedule(from: $from, to: $to) {\n        cursor\n        sessions {\n          ...ScheduleSessionFields\n        }\n      }\n      scheduleSettings {\n        timeZone\n        reminderOffsets\n        isSet\n      }\n    }\n  }\n"): (typeof documents)["\n  query CourseSchedule($id: ID!, $from: DateTime!, $to: DateTime!) {\n    course(id: $id) {\n      id\n      schedule(from: $from, to: $to) {\n        cursor\n        sessions {\n          ...ScheduleSessionFields\n        }\n      }\n      scheduleSettings {\n        timeZone\n        reminderOffsets\n        isSet\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ScheduleSessionDetails($id: ID!) {\n    scheduleSession(id: $id) {\n      ...ScheduleSessionFields\n      attendance {\n        userId\n        userName\n        attendance\n        completed\n      }\n    }\n  }\n"): (typeof documents)["\n  query ScheduleSessionDetails($id: ID!) {\n    scheduleSession(id: $id) {\n      ...ScheduleSessionFields\n      attendance {\n        userId\n        userName\n        attendance\n        completed\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ScheduleEvents($courseId: ID!, $after: String) {\n    scheduleEvents(courseId: $courseId, after: $after) {\n      cursor\n      type\n      sessionId\n      session {\n        ...ScheduleSessionFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription ScheduleEvents($courseId: ID!, $after: String) {\n    scheduleEvents(courseId: $courseId, after: $after) {\n      cursor\n      type\n      sessionId\n      session {\n        ...ScheduleSessionFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateScheduleSession($input: CreateScheduleSessionInput!, $force: Boolean) {\n    createScheduleSession(input: $input, force: $force) {\n      ...ScheduleSessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateScheduleSession($input: CreateScheduleSessionInput!, $force: Boolean) {\n    createScheduleSession(input: $input, force: $force) {\n      ...ScheduleSessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateScheduleSession($id: ID!, $input: UpdateScheduleSessionInput!, $scope: ScheduleEditScope, $force: Boolean) {\n    updateScheduleSession(id: $id, input: $input, scope: $scope, force: $force) {\n      ...ScheduleSessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateScheduleSession($id: ID!, $input: UpdateScheduleSessionInput!, $scope: ScheduleEditScope, $force: Boolean) {\n    updateScheduleSession(id: $id, input: $input, scope: $scope, force: $force) {\n      ...ScheduleSessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MoveScheduleSession($id: ID!, $startsAt: DateTime!, $endsAt: DateTime!, $scope: ScheduleEditScope, $force: Boolean) {\n    moveScheduleSession(id: $id, startsAt: $startsAt, endsAt: $endsAt, scope: $scope, force: $force) {\n      ...ScheduleSessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation MoveScheduleSession($id: ID!, $startsAt: DateTime!, $endsAt: DateTime!, $scope: ScheduleEditScope, $force: Boolean) {\n    moveScheduleSession(id: $id, startsAt: $startsAt, endsAt: $endsAt, scope: $scope, force: $force) {\n      ...ScheduleSessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelScheduleSession($id: ID!, $scope: ScheduleEditScope) {\n    cancelScheduleSession(id: $id, scope: $scope) {\n      ...ScheduleSessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation CancelScheduleSession($id: ID!, $scope: ScheduleEditScope) {\n    cancelScheduleSession(id: $id, scope: $scope) {\n      ...ScheduleSessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkAttendance($sessionId: ID!, $userId: ID!, $attendance: AttendanceMark, $completed: Boolean) {\n    markAttendance(sessionId: $sessionId, userId: $userId, attendance: $attendance, completed: $completed) {\n      userId\n      userName\n      attendance\n      completed\n    }\n  }\n"): (typeof documents)["\n  mutation MarkAttendance($sessionId: ID!, $userId: ID!, $attendance: AttendanceMark, $completed: Boolean) {\n    markAttendance(sessionId: $sessionId, userId: $userId, attendance: $attendance, completed: $completed) {\n      userId\n      userName\n      attendance\n      completed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateScheduleSettings($courseId: ID!, $timeZone: String, $reminderOffsets: [Int!]) {\n    updateScheduleSettings(courseId: $courseId, timeZone: $timeZone, reminderOffsets: $reminderOffsets) {\n      timeZone\n      reminderOffsets\n      isSet\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateScheduleSettings($courseId: ID!, $timeZone: String, $reminderOffsets: [Int!]) {\n    updateScheduleSettings(courseId: $courseId, timeZone: $timeZone, reminderOffsets: $reminderOffsets) {\n      timeZone\n      reminderOffsets\n      isSet\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SchedulePeople($id: ID!) {\n    course(id: $id) {\n      id\n      members(first: 100) {\n        edges {\n          node {\n            roles\n            user {\n              id\n              name\n            }\n          }\n        }\n      }\n      rooms {\n        id\n        kind\n        name\n        archived\n      }\n    }\n  }\n"): (typeof documents)["\n  query SchedulePeople($id: ID!) {\n    course(id: $id) {\n      id\n      members(first: 100) {\n        edges {\n          node {\n            roles\n            user {\n              id\n              name\n            }\n          }\n        }\n      }\n      rooms {\n        id\n        kind\n        name\n        archived\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshSession {\n    refreshSession {\n      token\n      expiresAt\n    }\n  }\n"): (typeof documents)["\n  mutation RefreshSession {\n    refreshSession {\n      token\n      expiresAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TutorUsageFields on TutorUsage {\n    cursor\n    courseId\n    usedToday\n    dailyLimit\n    remainingToday\n    courseUsedThisMonth\n    courseMonthlyLimit\n    warning\n    tokensPerQuestion\n    questionsLeft\n    percentLeftToday\n    blockedBy\n    resetsAt\n    blockedUntil\n  }\n"): (typeof documents)["\n  fragment TutorUsageFields on TutorUsage {\n    cursor\n    courseId\n    usedToday\n    dailyLimit\n    remainingToday\n    courseUsedThisMonth\n    courseMonthlyLimit\n    warning\n    tokensPerQuestion\n    questionsLeft\n    percentLeftToday\n    blockedBy\n    resetsAt\n    blockedUntil\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TutorSettingsFields on TutorSettings {\n    mode\n    brief\n    userDailyTokens\n    courseMonthlyTokens\n    tokensPerQuestion\n    provider\n    model\n  }\n"): (typeof documents)["\n  fragment TutorSettingsFields on TutorSettings {\n    mode\n    brief\n    userDailyTokens\n    courseMonthlyTokens\n    tokensPerQuestion\n    provider\n    model\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TutorHome($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      tutorSettings {\n        ...TutorSettingsFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query TutorHome($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      tutorSettings {\n        ...TutorSettingsFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TutorUsage($courseId: ID!) {\n    myTutorUsage(courseId: $courseId) {\n      ...TutorUsageFields\n    }\n  }\n"): (typeof documents)["\n  query TutorUsage($courseId: ID!) {\n    myTutorUsage(courseId: $courseId) {\n      ...TutorUsageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OpenTutorRoom($courseId: ID!) {\n    openTutorRoom(courseId: $courseId) {\n      ...ChatRoomFields\n    }\n  }\n"): (typeof documents)["\n  mutation OpenTutorRoom($courseId: ID!) {\n    openTutorRoom(courseId: $courseId) {\n      ...ChatRoomFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TutorUsageLive($courseId: ID!, $after: String) {\n    tutorUsage(courseId: $courseId, after: $after) {\n      ...TutorUsageFields\n    }\n  }\n"): (typeof documents)["\n  subscription TutorUsageLive($courseId: ID!, $after: String) {\n    tutorUsage(courseId: $courseId, after: $after) {\n      ...TutorUsageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelTutorReply($requestId: ID!) {\n    cancelTutorReply(requestId: $requestId)\n  }\n"): (typeof documents)["\n  mutation CancelTutorReply($requestId: ID!) {\n    cancelTutorReply(requestId: $requestId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryTutorReply($requestId: ID!) {\n    retryTutorReply(requestId: $requestId)\n  }\n"): (typeof documents)["\n  mutation RetryTutorReply($requestId: ID!) {\n    retryTutorReply(requestId: $requestId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TutorDashboard($courseId: ID!, $days: Int) {\n    course(id: $courseId) {\n      id\n      tutorSettings {\n        ...TutorSettingsFields\n      }\n      tutorUsageReport(days: $days) {\n        cursor\n        byDay {\n          day\n          promptTokens\n          completionTokens\n          costUsd\n          calls\n          refused\n        }\n        byStudent {\n          userId\n          name\n          tutorRoomId\n          promptTokens\n          completionTokens\n          costUsd\n          calls\n          refused\n        }\n        byModel {\n          model\n          promptTokens\n          completionTokens\n          costUsd\n          calls\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query TutorDashboard($courseId: ID!, $days: Int) {\n    course(id: $courseId) {\n      id\n      tutorSettings {\n        ...TutorSettingsFields\n      }\n      tutorUsageReport(days: $days) {\n        cursor\n        byDay {\n          day\n          promptTokens\n          completionTokens\n          costUsd\n          calls\n          refused\n        }\n        byStudent {\n          userId\n          name\n          tutorRoomId\n          promptTokens\n          completionTokens\n          costUsd\n          calls\n          refused\n        }\n        byModel {\n          model\n          promptTokens\n          completionTokens\n          costUsd\n          calls\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TutorReportLive($courseId: ID!, $after: String) {\n    tutorReportEvents(courseId: $courseId, after: $after) {\n      cursor\n      day\n      userId\n      name\n      tutorRoomId\n      model\n      promptTokens\n      completionTokens\n      costUsd\n      calls\n      refused\n    }\n  }\n"): (typeof documents)["\n  subscription TutorReportLive($courseId: ID!, $after: String) {\n    tutorReportEvents(courseId: $courseId, after: $after) {\n      cursor\n      day\n      userId\n      name\n      tutorRoomId\n      model\n      promptTokens\n      completionTokens\n      costUsd\n      calls\n      refused\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TutorStudentRoom($roomId: ID!) {\n    room(id: $roomId) {\n      ...ChatRoomFields\n    }\n  }\n"): (typeof documents)["\n  query TutorStudentRoom($roomId: ID!) {\n    room(id: $roomId) {\n      ...ChatRoomFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateTutorSettings($courseId: ID!, $mode: TutorMode, $brief: String, $userDailyTokens: Int, $courseMonthlyTokens: Int) {\n    updateTutorSettings(\n      courseId: $courseId\n      mode: $mode\n      brief: $brief\n      userDailyTokens: $userDailyTokens\n      courseMonthlyTokens: $courseMonthlyTokens\n    ) {\n      ...TutorSettingsFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateTutorSettings($courseId: ID!, $mode: TutorMode, $brief: String, $userDailyTokens: Int, $courseMonthlyTokens: Int) {\n    updateTutorSettings(\n      courseId: $courseId\n      mode: $mode\n      brief: $brief\n      userDailyTokens: $userDailyTokens\n      courseMonthlyTokens: $courseMonthlyTokens\n    ) {\n      ...TutorSettingsFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      kind\n      user {\n        id\n        name\n      }\n      tenant {\n        id\n        name\n      }\n      course {\n        id\n        title\n        label\n      }\n      roles\n      administrator\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      kind\n      user {\n        id\n        name\n      }\n      tenant {\n        id\n        name\n      }\n      course {\n        id\n        title\n        label\n      }\n      roles\n      administrator\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;