"""What the staff and cabinet pages share: table cells and badges (`tables`), a form's errors
as one message (`forms`), the check on a user-given `next` (`redirects`) and the inline-SVG bar
chart (`charts`). Templates under `templates/core/`."""
