"""The village media library: photos and documents on the media store (local disk or S3), one
folder of objects per file under the village's prefix, one ``media_file`` row per file.

- :mod:`.processing` looks at the bytes (never the name): what the file is, whether it is safe to
  decode, and makes the stored variants without any metadata;
- :mod:`.service` uploads (quota, objects, row: all or nothing), deletes (refused while content
  uses the file), measures use against the quota and builds ``srcset``;
- :mod:`.models` is the table.
"""
