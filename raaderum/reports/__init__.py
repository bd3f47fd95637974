"""Report builders (workbooks, PDFs) over core results: no HTTP, no CLI."""
