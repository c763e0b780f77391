"""Aspirasi dan pengaduan: residents' suggestions and complaints to the village government.

A resident writes from the public form (``/aspirasi``) without an account and gets a tracking code
to read aloud and type on a phone; with it they follow the status and the team's public replies
(``/aspirasi/lacak``). The team answers in ``/admin/aspirasi``. When the sender agreed, the team may
publish the exchange (``/aspirasi/terbit``), always without the sender's name or phone number.
"""
