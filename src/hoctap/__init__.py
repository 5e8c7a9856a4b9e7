"""hoctap: the Learning Citizen (Công dân học tập) platform."""
