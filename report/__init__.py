"""Documents the dashboard writes for people to edit and sign: the yearly summary report and the
reminder letter (.docx, with a PDF through LibreOffice), in the administrative format of
Nghị định 30/2020/NĐ-CP. Figures come from the same queries and tables as the pages.
"""
