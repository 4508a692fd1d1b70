/** WebSocket URL of the GraphQL endpoint on the page's own origin (ws: for http:, wss: for https:). */
export function graphqlWsUrl(location: Pick<Location, 'protocol' | 'host'>, path = '/graphql'): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}
