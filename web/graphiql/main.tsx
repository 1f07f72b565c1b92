import { GraphiQL } from 'graphiql';
import 'graphiql/graphiql.css';
import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { completeSignIn, currentSession, pageConfig, signIn, signOut, type Session } from '../auth.ts';
import { examples } from './examples.ts';
import './graphiql-page.css';

const config = pageConfig();
const SCOPE = 'openid fhirUser patient/*.rs user/*.rs';

function App() {
  const [session, setSession] = useState<Session | undefined>(currentSession());
  const [error, setError] = useState<string>();
  useEffect(() => {
    completeSignIn(config).then((s) => s && setSession(s), (e: Error) => setError(e.message));
  }, []);
  // A new fetcher per session: GraphiQL then reloads the schema with the new token.
  const fetcher = useMemo(
    () => async (params: unknown) => {
      const res = await fetch(config.graphqlPath, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...(session ? { authorization: `Bearer ${session.accessToken}` } : {}) },
        body: JSON.stringify(params),
      });
      return res.json();
    },
    [session],
  );
  return (
    <div className="page">
      <header className="bar">
        <strong>FHIR patient graph</strong>
        <span className="spacer" />
        {error && <span role="alert" className="error">{error}</span>}
        {session ? (
          <>
            <span data-testid="signed-in-as">Signed in as {session.who}</span>
            <button type="button" onClick={() => void signOut(config)}>Sign out</button>
          </>
        ) : (
          <>
            <span>Sign in to explore the graph.</span>
            <button type="button" onClick={() => void signIn(config, SCOPE)}>Sign in</button>
          </>
        )}
      </header>
      <main className="editor">
        <GraphiQL key={session?.accessToken ?? 'anonymous'} fetcher={fetcher as never} defaultTabs={examples} shouldPersistHeaders={false} isHeadersEditorEnabled={false}>
          <GraphiQL.Logo>Explorer</GraphiQL.Logo>
        </GraphiQL>
      </main>
    </div>
  );
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
