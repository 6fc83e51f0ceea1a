"""Legal documents of a debt case: the pre-trial claim letter and the application for a court
order, as DOCX letters made with python-docx from templates staff may edit, and the case list a
court or an agency is sent.

- `templates`: the texts of each kind of document (defaults, and the tenant's own edits);
- `debt_table`: the per-period table of charged, paid, debt and penalty the documents claim;
- `content`: everything a letter says, built from the template, the table and the parties;
- `docx_rendering`: the content laid out on A4 as a DOCX file;
- `generation`: making a document, keeping its file, and the case events it writes;
- `case_lists`: the list of cases, as a spreadsheet, for a court or an agency."""
