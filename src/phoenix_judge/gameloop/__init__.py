"""gameloop"""
