import { Layout } from '../components/layout.tsx';
import { Link } from '../router.tsx';

export function NotFoundPage() {
  return (
    <Layout crumbs={[{ label: 'Runs', href: '/' }, { label: 'Not found' }]}>
      <h1>Nothing here</h1>
      <p>
        This address shows nothing. <Link href="/">See every run</Link>.
      </p>
    </Layout>
  );
}
