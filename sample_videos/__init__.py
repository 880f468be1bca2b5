"""Sample clips with ground truth; the generator lives in sample_videos.generate."""
