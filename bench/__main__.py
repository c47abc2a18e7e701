"""Run every benchmark with its defaults."""

from bench import crawl

if __name__ == "__main__":
    crawl.main([])
