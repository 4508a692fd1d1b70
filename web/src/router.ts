import { createRouter, createWebHistory, type RouteRecordRaw, type RouterHistory } from 'vue-router';
import { COURSE_SECTIONS } from './courses/sections';

declare module 'vue-router' {
  interface RouteMeta {
    /** Page title, shown as "<title> · Course Companion". */
    title?: string;
    /** The page names its course itself, so the shell's viewer badge leaves it out. */
    showsCourse?: boolean;
  }
}

export const PRODUCT_NAME = 'Course Companion';

const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: () => import('./views/HomeView.vue'), meta: { title: 'Home' } },
  { path: '/courses', name: 'courses', component: () => import('./views/CoursesView.vue'), meta: { title: 'Courses' } },
  {
    // The section is optional (the hub by default); anything but a known section is "not found".
    path: `/courses/:courseId/:section(${COURSE_SECTIONS.join('|')})?`,
    name: 'course',
    component: () => import('./views/CourseView.vue'),
    meta: { title: 'Course', showsCourse: true },
  },
  {
    // One live class of the course: its page, under the Live class tab.
    path: '/courses/:courseId/:section(live)/:classId',
    name: 'course-live-class',
    component: () => import('./views/CourseView.vue'),
    meta: { title: 'Live class', showsCourse: true },
  },
  {
    // One collab session of the course: its document (the viewer's own copy, or the shared one), under the Collab tab.
    path: '/courses/:courseId/:section(collab)/:sessionId',
    name: 'course-collab-session',
    component: () => import('./views/CourseView.vue'),
    meta: { title: 'Collab session', showsCourse: true },
  },
  {
    // A manager opening one student's copy from the class grid: the same page, that document.
    path: '/courses/:courseId/:section(collab)/:sessionId/doc/:documentId',
    name: 'course-collab-document',
    component: () => import('./views/CourseView.vue'),
    meta: { title: 'Collab session', showsCourse: true },
  },
  {
    // The class grid of an exercise (its managers): every learner's copy, live.
    path: '/courses/:courseId/:section(collab)/:sessionId/grid',
    name: 'course-collab-grid',
    component: () => import('./views/CourseView.vue'),
    meta: { title: 'Class grid', showsCourse: true },
  },
  {
    // The replay of one document, edit by edit.
    path: '/courses/:courseId/:section(collab)/:sessionId/replay/:documentId',
    name: 'course-collab-replay',
    component: () => import('./views/CourseView.vue'),
    meta: { title: 'Replay', showsCourse: true },
  },
  {
    // The API key console of a course (its staff and LMS administrators): a tool of the course, not a tab.
    path: '/courses/:courseId/keys',
    name: 'course-keys',
    component: () => import('./views/CourseView.vue'),
    meta: { title: 'API keys', showsCourse: true },
  },
  {
    // The course's activity feed and audit log (its staff): a tool of the course, opened from the Hub.
    path: '/courses/:courseId/activity',
    name: 'course-activity',
    component: () => import('./views/CourseView.vue'),
    meta: { title: 'Activity', showsCourse: true },
  },
  {
    // The live dashboard of a course (its hosts): a tool of the course, opened from the Hub and the live-class page.
    path: '/courses/:courseId/dashboard',
    name: 'course-dashboard',
    component: () => import('./views/CourseView.vue'),
    meta: { title: 'Live dashboard', showsCourse: true },
  },
  {
    path: '/deep-link/:requestId',
    name: 'deep-link',
    component: () => import('./views/DeepLinkView.vue'),
    meta: { title: 'Add to your course', showsCourse: true },
  },
  // The URL an LTI launch leaves in the address bar; boot (main.ts) has already moved on from it.
  { path: '/lti/launch', redirect: '/' },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('./views/NotFoundView.vue'),
    meta: { title: 'Page not found' },
  },
];

export function createAppRouter(history: RouterHistory = createWebHistory(import.meta.env.BASE_URL)) {
  const router = createRouter({
    history,
    routes,
    scrollBehavior: (_to, _from, savedPosition) => savedPosition ?? { top: 0 },
  });
  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · ${PRODUCT_NAME}` : PRODUCT_NAME;
  });
  return router;
}
