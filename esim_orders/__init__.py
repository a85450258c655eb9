"""esim-orders: look into eSIM orders at PressOne and Zim Connections."""
