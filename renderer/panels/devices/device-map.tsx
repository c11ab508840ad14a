import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { useEffect, useRef } from 'react';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import worldText from 'world-atlas/countries-50m.json?raw';
import type { DeviceLocation, HistoryPoint } from '../../../contract/devices';
import { boundsOf, padBounds, thinForDrawing } from './map-helpers';

export interface DeviceMapProps {
  deviceId: string;
  points: readonly HistoryPoint[];
  /** The time slider's position in `points`. */
  index: number;
  last: DeviceLocation | null;
  /** An OpenStreetMap-style template when the person turned street detail on; null keeps the map offline. */
  tileUrl: string | null;
  label: string;
}

/** The most points a trail is drawn with; the slider still moves through all of them. */
const DRAWN_POINTS = 4000;

let world: GeoJSON.FeatureCollection | undefined;
/** Natural Earth countries (world-atlas), parsed once: the basemap that needs no network. */
function worldGeoJson(): GeoJSON.FeatureCollection {
  if (!world) {
    const topology = JSON.parse(worldText) as Topology<{ countries: GeometryCollection }>;
    world = feature(topology, topology.objects.countries);
  }
  return world;
}

interface Layers {
  map: L.Map;
  tiles: L.TileLayer | undefined;
  tileUrl: string | null;
  trailAll: L.Polyline;
  trailSoFar: L.Polyline;
  accuracy: L.Circle;
  lastMarker: L.CircleMarker;
  cursor: L.CircleMarker;
  fittedFor: string | undefined;
}

/**
 * Leaflet with a vector world basemap and no tiles by default. Colours come from CSS classes (devices.css), so the
 * map follows the light and dark themes without redrawing.
 */
export function DeviceMap({ deviceId, points, index, last, tileUrl, label }: DeviceMapProps) {
  const container = useRef<HTMLDivElement>(null);
  const layers = useRef<Layers | undefined>(undefined);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const map = L.map(element, {
      center: [10, 110],
      zoom: 3,
      minZoom: 2,
      maxZoom: 18,
      worldCopyJump: false,
      maxBounds: [
        [-85, -240],
        [85, 240],
      ],
      maxBoundsViscosity: 0.8,
      zoomSnap: 0.5,
    });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution('Natural Earth');
    // The basemap sits under the tile pane, so street tiles (when on) cover it and it shows again when they fail.
    const basePane = map.createPane('dv-basemap');
    basePane.style.zIndex = '150';
    const baseRenderer = L.svg({ pane: 'dv-basemap', padding: 0.5 });
    L.geoJSON(worldGeoJson(), {
      pane: 'dv-basemap',
      interactive: false,
      style: () => ({ renderer: baseRenderer, className: 'dv-map-land', weight: 0.7, fillOpacity: 1 }),
    }).addTo(map);
    const trailAll = L.polyline([], { className: 'dv-map-trail-all', weight: 3, interactive: false }).addTo(map);
    const trailSoFar = L.polyline([], { className: 'dv-map-trail', weight: 3.5, interactive: false }).addTo(map);
    const accuracy = L.circle([0, 0], { radius: 1, className: 'dv-map-accuracy', weight: 1.5, interactive: false });
    const lastMarker = L.circleMarker([0, 0], { radius: 8, className: 'dv-map-last', weight: 3, fillOpacity: 1 });
    const cursor = L.circleMarker([0, 0], { radius: 6, className: 'dv-map-cursor', weight: 2.5, fillOpacity: 1 });
    layers.current = { map, tiles: undefined, tileUrl: null, trailAll, trailSoFar, accuracy, lastMarker, cursor, fittedFor: undefined };
    const resize = new ResizeObserver(() => map.invalidateSize());
    resize.observe(element);
    return () => {
      resize.disconnect();
      map.remove();
      layers.current = undefined;
    };
  }, []);

  useEffect(() => {
    const current = layers.current;
    if (!current || current.tileUrl === tileUrl) return;
    current.tiles?.remove();
    current.tiles = tileUrl ? L.tileLayer(tileUrl, { maxZoom: 19, attribution: '© OpenStreetMap contributors', crossOrigin: false }).addTo(current.map) : undefined;
    current.tileUrl = tileUrl;
  }, [tileUrl]);

  // The whole trail changes only with the points; moving the slider redraws just the part up to it.
  useEffect(() => {
    layers.current?.trailAll.setLatLngs(thinForDrawing(points, DRAWN_POINTS).map((p) => L.latLng(p.lat, p.lon)));
  }, [points]);

  useEffect(() => {
    const current = layers.current;
    if (!current) return;
    const { map, trailSoFar, accuracy, lastMarker, cursor } = current;
    const upTo = points.length === 0 ? 0 : Math.min(Math.max(0, Math.floor(index)), points.length - 1) + 1;
    trailSoFar.setLatLngs(thinForDrawing(points, DRAWN_POINTS, upTo).map((p) => L.latLng(p.lat, p.lon)));
    // What the map has drawn, for the benchmark and e2e tests to wait on (the SVG path alone does not say which trail).
    const element = container.current;
    if (element) {
      element.dataset.trailDevice = deviceId;
      element.dataset.trailPoints = String(points.length);
      element.dataset.trailIndex = String(index);
    }

    if (last) {
      accuracy.setLatLng([last.lat, last.lon]).setRadius(Math.max(1, last.accuracyM));
      lastMarker.setLatLng([last.lat, last.lon]);
      if (!map.hasLayer(accuracy)) accuracy.addTo(map);
      if (!map.hasLayer(lastMarker)) lastMarker.addTo(map);
    } else {
      accuracy.remove();
      lastMarker.remove();
    }

    const at = points[index];
    const atEnd = index >= points.length - 1;
    if (at && !atEnd) {
      cursor.setLatLng([at.lat, at.lon]);
      if (!map.hasLayer(cursor)) cursor.addTo(map);
    } else cursor.remove();

    // Fit once per device; afterwards the view is the person's.
    if (current.fittedFor !== deviceId) {
      const around = boundsOf([...points, ...(last ? [last] : [])]);
      if (around) {
        const [[s, w], [n, e]] = padBounds(around, 0.03);
        map.fitBounds(
          [
            [s, w],
            [n, e],
          ],
          { padding: [32, 32], maxZoom: 14, animate: false },
        );
        current.fittedFor = deviceId;
      }
    }
  }, [deviceId, points, index, last]);

  return <div ref={container} className="dv-map" role="region" aria-label={label} />;
}
