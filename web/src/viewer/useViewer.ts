import { computed } from 'vue';
import { useQuery } from '../apollo/useQuery';
import { ME_QUERY } from '../graphql/viewer';
import { roleLabels } from './roles';

/** The signed-in viewer (`me`), shared through the Apollo cache by every caller. */
export function useViewer() {
  const { data, error, loading, refetch } = useQuery(ME_QUERY);
  const viewer = computed(() => data.value?.me);

  return {
    viewer,
    error,
    loading,
    refetch,
    /** The person's name; an API key has no user, so the tenant names it. */
    displayName: computed(() => viewer.value?.user?.name ?? viewer.value?.tenant.name),
    courseTitle: computed(() => viewer.value?.course?.title),
    roles: computed(() => roleLabels(viewer.value?.roles ?? [])),
  };
}
