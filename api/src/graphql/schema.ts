/** The schema index: imports the feature schema files, then builds. No feature file imports this one. */
import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.js';
import '../tenants/schema.js';
import '../users/schema.js';
import '../courses/schema.js';
import '../apikeys/schema.js';
import '../auth/schema.js';
import '../lti/schema.js';
import '../rooms/schema.js';
import '../notifications/schema.js';
import '../presence/schema.js';
import '../tutor/schema.js';
import '../activity/schema.js';
import '../schedule/schema.js';
import '../schedule/feeds-schema.js';
import '../schedule/reminders-schema.js';
import '../schedule/office-hours-schema.js';
import '../live/schema.js';
import '../live/interaction-schema.js';
import '../live/grades-schema.js';
import '../live/dashboard-schema.js';
import '../collab/docs-schema.js';
import '../collab/schema.js';

export const schema = builder.toSchema();
export const printedSchema = () => printSchema(lexicographicSortSchema(schema)) + '\n';
