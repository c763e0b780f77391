"""Potensi desa (wisata, BUMDes units, UMKM) and the village's products (produk)."""
