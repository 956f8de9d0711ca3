export function ComingSoon({ title, what }: { title: string; what: string }) {
  return (
    <section className="view" aria-labelledby="view-title">
      <h1 id="view-title">{title}</h1>
      <p className="coming-soon" data-testid="coming-soon">
        Coming soon: {what} This screen is not built yet; the Crawlers screen shows live data now.
      </p>
    </section>
  );
}
