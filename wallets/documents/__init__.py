"""The printed side of wallets: payment coupons (`coupons`, one A4 page each), the funding
instruction a payer's accountant needs to top the wallet up (`funding`), and the wallet
statement as PDF (`statement_pdf`) and XLSX (`statement_xlsx`).

Drawn with ReportLab like the payment documents (`invoicing.rendering.pdf`): the same DejaVu
fonts (Cyrillic, ₽, €), the same vector QR and the same money formatting, so a coupon reads
like the operator's other papers (`page` holds the A4 page they share). Coupons are A4 portrait
rather than A5: every office printer takes A4 without scaling, so the QR prints at the size it
was drawn, and the page has room for the clerk's instruction. The words are gettext texts
(`texts`) in the language the tenant's country writes its papers in; numbers and dates follow
the tenant's locale. Amounts stay integers in minor units until formatted at the edge.
"""
