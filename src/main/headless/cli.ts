console.log('crawl-console');
