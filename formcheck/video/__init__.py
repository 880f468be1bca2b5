"""Reading frames: video files in any codec, webcams and streams, the right way up, each frame with its
own timestamp."""
