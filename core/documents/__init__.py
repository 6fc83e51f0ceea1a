"""Files the apps hand out: PDF canvas primitives (`pdf`), XLSX and CSV writers (`xlsx`,
`csv`) with exact amounts and text that a spreadsheet never runs as a formula."""
