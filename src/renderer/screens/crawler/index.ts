export { CrawlerScreen } from './CrawlerPage';
