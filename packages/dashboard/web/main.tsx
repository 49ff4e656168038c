import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { onUnauthorized } from './api.ts';
import { TokenPrompt } from './components/token-prompt.tsx';
import { RouteContext, useLocationRoute } from './router.tsx';
import { RoutePage } from './pages/route.tsx';
import { ExchangePage } from './pages/exchange.tsx';
import { FieldPage } from './pages/field.tsx';
import { NotFoundPage } from './pages/not-found.tsx';
import { RunPage } from './pages/run.tsx';
import { RunsPage } from './pages/runs.tsx';
import './styles.css';

const PAGES = { runs: RunsPage, run: RunPage, route: RoutePage, field: FieldPage, exchange: ExchangePage } as const;

function App() {
  const route = useLocationRoute();
  const [needsToken, setNeedsToken] = useState(false);
  const [generation, setGeneration] = useState(0);
  useEffect(() => onUnauthorized(() => setNeedsToken(true)), []);
  if (needsToken) {
    return (
      <TokenPrompt
        onDone={() => {
          setNeedsToken(false);
          setGeneration((g) => g + 1);
        }}
      />
    );
  }
  const Page = PAGES[route.name as keyof typeof PAGES] ?? NotFoundPage;
  return (
    <RouteContext.Provider value={route}>
      <Page key={`${generation}:${route.name}:${JSON.stringify(route.params)}`} />
    </RouteContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
