"""The inbox: server-rendered pages in Indonesian where every person who decides finds
their tasks and takes their decisions (`/tugas`), served by the API's process."""
