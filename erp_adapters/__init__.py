"""ERP adapters: one package per external accounting system behind one small interface."""
